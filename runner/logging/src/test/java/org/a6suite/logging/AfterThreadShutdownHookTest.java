package org.a6suite.logging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.Duration;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AfterThreadShutdownHookTest {

    private final LoggerContext context = new LoggerContext();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void cleanUp() {
        release.countDown();
        context.stop();
    }

    private AfterThreadShutdownHook hook(String thread, Duration maxWait) {
        AfterThreadShutdownHook hook = new AfterThreadShutdownHook();
        hook.setContext(context);
        hook.setThread(thread);
        hook.setMaxWait(maxWait);
        return hook;
    }

    private Thread closing(String name) {
        Thread thread = new Thread(
                () -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                name);
        thread.start();
        return thread;
    }

    /** Whether {@code hook} is waiting in {@link Thread#join}: it found the thread it was told to wait for. */
    private static boolean joining(Thread hook) {
        return Arrays.stream(hook.getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals(Thread.class.getName())
                        && frame.getMethodName().equals("join"));
    }

    @Test
    void shouldStopLogbackOnlyAfterTheNamedShutdownThreadEnded() {
        context.start();
        Thread runnerClose = closing("test-shutdown-1");
        Thread hook = new Thread(hook("test-shutdown-1", Duration.buildBySeconds(60)), "hook");
        hook.start();

        await().atMost(10, TimeUnit.SECONDS).until(() -> joining(hook));
        assertThat(runnerClose.isAlive()).isTrue();
        assertThat(context.isStarted()).isTrue();

        release.countDown();

        await().atMost(10, TimeUnit.SECONDS).until(() -> !context.isStarted());
    }

    @Test
    void shouldStopLogbackAfterMaxWaitWhenTheThreadDoesNotEnd() {
        context.start();
        closing("test-shutdown-2");

        hook("test-shutdown-2", Duration.buildByMilliseconds(100)).run();

        assertThat(context.isStarted()).isFalse();
    }

    @Test
    void shouldStopLogbackWhenNoThreadOfThatNameRuns() {
        context.start();

        hook("no-such-thread", Duration.buildBySeconds(60)).run();

        assertThat(context.isStarted()).isFalse();
    }

    @Test
    void shouldWaitForTheThreadNamedInTheXmlConfiguration() throws Exception {
        context.start();
        String xml = """
                <configuration>
                  <shutdownHook class="org.a6suite.logging.AfterThreadShutdownHook">
                    <thread>test-shutdown-3</thread>
                    <maxWait>60 seconds</maxWait>
                  </shutdownHook>
                </configuration>
                """;
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);

        joran.doConfigure(new ByteArrayInputStream(xml.getBytes(UTF_8)));

        Thread registered = (Thread) context.getObject(CoreConstants.SHUTDOWN_HOOK_THREAD);
        assertThat(registered).isNotNull();
        // This test starts the hook's thread itself, not the JVM at exit.
        assertThat(Runtime.getRuntime().removeShutdownHook(registered)).isTrue();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() >= Status.WARN);
        closing("test-shutdown-3");
        registered.start();

        await().atMost(10, TimeUnit.SECONDS).until(() -> joining(registered));
        assertThat(context.isStarted()).isTrue();
        release.countDown();
        await().atMost(10, TimeUnit.SECONDS).until(() -> !context.isStarted());
    }
}
