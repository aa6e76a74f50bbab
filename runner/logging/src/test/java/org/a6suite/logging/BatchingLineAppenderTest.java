package org.a6suite.logging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.Duration;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchingLineAppenderTest {

    private final LoggerContext context = new LoggerContext();

    {
        // What logback's SLF4J provider does for the context it configures.
        context.setMDCAdapter(new LogbackMDCAdapter());
    }

    @TempDir
    Path dir;

    @AfterEach
    void stopContext() {
        context.stop();
    }

    private Encoder<ILoggingEvent> pattern(String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    private BatchingLineAppender appender(Encoder<ILoggingEvent> encoder) {
        BatchingLineAppender appender = new BatchingLineAppender();
        appender.setContext(context);
        appender.setName("CALLS");
        appender.setEncoder(encoder);
        return appender;
    }

    private Logger callLog(BatchingLineAppender appender) {
        Logger logger = context.getLogger("a6.ai.calls");
        logger.setAdditive(false);
        logger.addAppender(appender);
        return logger;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, UTF_8) : List.of();
    }

    private List<String> errors() {
        return context.getStatusManager().getCopyOfStatusList().stream()
                .filter(status -> status.getLevel() == Status.ERROR)
                .map(Status::getMessage)
                .toList();
    }

    @Test
    void shouldWriteLinesToTheFileInOrderWithTheEncodersPattern() throws IOException {
        Path file = dir.resolve("logs/nested/calls.log");
        BatchingLineAppender appender = appender(pattern("%level %logger %msg%n"));
        appender.setFile(file.toString());
        appender.setMaxDelay(Duration.buildByMilliseconds(10));
        appender.start();
        Logger logger = callLog(appender);

        for (int i = 0; i < 100; i++) {
            logger.info("call {}", i);
        }

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add("INFO a6.ai.calls call " + i);
        }
        await().atMost(10, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(lines(file)).containsExactlyElementsOf(expected));
        assertThat(errors()).isEmpty();
    }

    @Test
    void shouldAppendToAFileThatAlreadyHasLines() throws IOException {
        Path file = dir.resolve("calls.log");
        Files.writeString(file, "earlier line\n");
        BatchingLineAppender appender = appender(pattern("%msg%n"));
        appender.setFile(file.toString());
        appender.setMaxDelay(Duration.buildByMilliseconds(0));
        appender.start();

        callLog(appender).info("new line");

        await().atMost(10, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(lines(file)).containsExactly("earlier line", "new line"));
    }

    @Test
    void shouldWriteEveryLineWholeAndInEachThreadsOrderWhenEightThreadsLog() throws Exception {
        Path file = dir.resolve("calls.log");
        BatchingLineAppender appender = appender(pattern("%msg%n"));
        appender.setFile(file.toString());
        appender.setMaxDelay(Duration.buildByMilliseconds(5));
        appender.start();
        Logger logger = callLog(appender);
        int threads = 8;
        int perThread = 5_000;
        String padding = "x".repeat(120);

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        logger.info("{} {} {}", thread, i, padding);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        await().atMost(30, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(lines(file)).hasSize(threads * perThread));
        Map<Integer, Integer> next = new HashMap<>();
        for (String line : lines(file)) {
            String[] fields = line.split(" ");
            assertThat(fields).as("a whole line: %s", line).hasSize(3);
            assertThat(fields[2]).isEqualTo(padding);
            int thread = Integer.parseInt(fields[0]);
            int expected = next.getOrDefault(thread, 0);
            assertThat(Integer.parseInt(fields[1]))
                    .as("order of thread %d", thread)
                    .isEqualTo(expected);
            next.put(thread, expected + 1);
        }
        assertThat(next)
                .hasSize(threads)
                .allSatisfy((thread, count) -> assertThat(count).isEqualTo(perThread));
    }

    @Test
    void shouldWriteEverythingStillQueuedWhenStopped() throws IOException {
        Path file = dir.resolve("calls.log");
        BatchingLineAppender appender = appender(pattern("%msg%n"));
        appender.setFile(file.toString());
        // The writer would wait an hour for the batch: only stop() can write these lines.
        appender.setMaxDelay(Duration.buildByHours(1));
        appender.start();
        Logger logger = callLog(appender);
        for (int i = 0; i < 1_000; i++) {
            logger.info("line {}", i);
        }
        assertThat(lines(file)).isEmpty();

        appender.stop();

        assertThat(appender.isStarted()).isFalse();
        assertThat(lines(file)).hasSize(1_000).startsWith("line 0").endsWith("line 999");
        assertThat(errors()).isEmpty();
    }

    @Test
    void shouldDropWhenTheQueueIsFullAndThenWriteAWarningWithTheExactCount() throws Exception {
        Path file = dir.resolve("calls.log");
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Encoder<ILoggingEvent> plain = pattern("%level %msg%n");
        // Holds the writer inside the first event, so the queue fills behind it.
        Encoder<ILoggingEvent> stalling = new EncoderBase<>() {
            @Override
            public byte[] headerBytes() {
                return null;
            }

            @Override
            public byte[] encode(ILoggingEvent event) {
                if (event.getFormattedMessage().equals("first")) {
                    writing.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return plain.encode(event);
            }

            @Override
            public byte[] footerBytes() {
                return null;
            }
        };
        stalling.setContext(context);
        stalling.start();
        BatchingLineAppender appender = appender(stalling);
        appender.setFile(file.toString());
        appender.setQueueSize(10);
        appender.setMaxDelay(Duration.buildByMilliseconds(0));
        appender.start();
        Logger logger = callLog(appender);

        logger.info("first");
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 25; i++) {
            logger.info("line {}", i);
        }
        release.countDown();

        List<String> expected = new ArrayList<>();
        expected.add("INFO first");
        for (int i = 0; i < 10; i++) {
            expected.add("INFO line " + i);
        }
        await().atMost(10, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(lines(file))
                        .hasSize(12)
                        .filteredOn(line -> line.startsWith("INFO"))
                        .containsExactlyElementsOf(expected));
        assertThat(lines(file))
                .filteredOn(line -> line.startsWith("WARN"))
                .containsExactly("WARN dropped 15 log lines: the queue of appender CALLS was full (queueSize=10)");
    }

    @Test
    void shouldNotStartAndReportAnErrorWhenNoTargetIsSet() {
        BatchingLineAppender appender = appender(pattern("%msg%n"));

        appender.start();

        assertThat(appender.isStarted()).isFalse();
        assertThat(errors())
                .singleElement()
                .asString()
                .startsWith("BatchingLineAppender[CALLS]: target/file: both missing (expected:");
    }

    @Test
    void shouldNotStartAndReportAnErrorWhenBothTargetAndFileAreSet() {
        BatchingLineAppender appender = appender(pattern("%msg%n"));
        appender.setTarget("System.err");
        appender.setFile(dir.resolve("calls.log").toString());

        appender.start();

        assertThat(appender.isStarted()).isFalse();
        assertThat(errors())
                .singleElement()
                .asString()
                .contains("target: System.err and file: ")
                .endsWith("(expected: exactly one of them)");
    }

    @Test
    void shouldNotStartAndNameEveryBadSettingWhenSeveralAreWrong() {
        BatchingLineAppender appender = new BatchingLineAppender();
        appender.setContext(context);
        appender.setName("CALLS");
        appender.setTarget("System.error");
        appender.setQueueSize(0);

        appender.start();

        assertThat(appender.isStarted()).isFalse();
        assertThat(errors())
                .containsExactlyInAnyOrder(
                        "BatchingLineAppender[CALLS]: target: System.error (expected: System.err or System.out)",
                        "BatchingLineAppender[CALLS]: encoder: missing (expected: an <encoder>, e.g. with a <pattern>)",
                        "BatchingLineAppender[CALLS]: queueSize: 0 (expected: >= 1)");
    }

    @Test
    void shouldStartOnStderrWithTheSettingsJoranReadsFromXml() throws JoranException {
        String xml = """
                <configuration>
                  <appender name="CALLS" class="org.a6suite.logging.BatchingLineAppender">
                    <target>System.err</target>
                    <queueSize>1024</queueSize>
                    <maxDelay>50 milliseconds</maxDelay>
                    <maxFlushTime>2 seconds</maxFlushTime>
                    <encoder><pattern>%msg%n</pattern></encoder>
                  </appender>
                  <logger name="a6.ai.calls" level="INFO" additivity="false"><appender-ref ref="CALLS"/></logger>
                </configuration>
                """;
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);

        joran.doConfigure(new ByteArrayInputStream(xml.getBytes(UTF_8)));

        BatchingLineAppender appender =
                (BatchingLineAppender) context.getLogger("a6.ai.calls").getAppender("CALLS");
        assertThat(appender.isStarted()).isTrue();
        assertThat(appender.getTarget()).isEqualTo("System.err");
        assertThat(appender.getQueueSize()).isEqualTo(1024);
        assertThat(appender.getMaxDelay().getMilliseconds()).isEqualTo(50);
        assertThat(appender.getMaxFlushTime().getMilliseconds()).isEqualTo(2000);
        assertThat(errors()).isEmpty();
    }
}
