package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What a peer can make the runner log: never a forged line, never a flood. */
class LogSafetyTest extends RunnerFixture {

    private static final Pattern SUPPRESSED = Pattern.compile("\\[kind=protocol_error, (\\d+) similar suppressed");

    private final Logger logger = (Logger) LoggerFactory.getLogger("org.a6suite.runner");
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

    @BeforeEach
    void attach() {
        captured.start();
        logger.addAppender(captured);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(captured);
    }

    @Test
    void shouldLogTenThousandMalformedFramesInABoundedNumberOfLinesWithTheirCount() throws IOException {
        AtomicLong nanos = new AtomicLong();
        RunnerServer server = start(RunnerOptions.defaults().withTicker(nanos::get));
        for (int i = 0; i < 10_000; i++) {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket()));
                channel.write(ByteBuffer.wrap(new byte[] {9, 0, 0, 1, 0})); // unknown type 9
            }
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> server.runnerMetrics().protocolErrors() == 10_000);
        assertThat(protocolErrorLines()).hasSize(1);

        nanos.addAndGet(RateLimitedLogDefaults.INTERVAL.toNanos());
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket()));
            channel.write(ByteBuffer.wrap(new byte[] {9, 0, 0, 1, 0}));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> protocolErrorLines().size() == 2);
        Matcher count = SUPPRESSED.matcher(protocolErrorLines().get(1).getFormattedMessage());
        assertThat(count.find())
                .as(protocolErrorLines().get(1).getFormattedMessage())
                .isTrue();
        assertThat(Long.parseLong(count.group(1))).isEqualTo(9_999);
    }

    @Test
    void shouldKeepAForgedRouteKeyOnOneLine() {
        start(TestPlugin.named("noop").build());
        String forged = "route#1#ext-plugin-pre-req#7\n2026-01-01 INFO forged \u001b[31m";
        var reply = connect()
                .call(new PrepareConfRequest(List.of(TextEntry.of("no-such\nplugin", "")), Optional.of(forged)));
        assertThat(reply).isEqualTo(new ErrorResponse(ErrorResponse.Code.BAD_REQUEST));

        await().atMost(Duration.ofSeconds(5))
                .until(() -> !linesOfKind("prepare_rejected").isEmpty());
        String line = linesOfKind("prepare_rejected").get(0).getFormattedMessage();
        assertThat(line)
                .doesNotContain("\n", "\r", "\u001b")
                .contains("route#1#ext-plugin-pre-req#7\\n2026-01-01 INFO forged \\u001b[31m")
                .contains("no-such\\nplugin");
    }

    private List<ILoggingEvent> warnings() {
        return List.copyOf(captured.list).stream()
                .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .toList();
    }

    private List<ILoggingEvent> protocolErrorLines() {
        return linesOfKind("protocol_error");
    }

    private List<ILoggingEvent> linesOfKind(String kind) {
        return warnings().stream()
                .filter(e -> e.getFormattedMessage().contains("[kind=" + kind))
                .toList();
    }

    /** The interval the runner uses, named here so the test reads as behaviour. */
    private static final class RateLimitedLogDefaults {
        static final Duration INTERVAL = org.a6suite.runner.logging.RateLimitedLog.DEFAULT_INTERVAL;
    }
}
