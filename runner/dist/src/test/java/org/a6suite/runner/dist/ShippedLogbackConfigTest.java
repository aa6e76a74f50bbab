package org.a6suite.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.status.Status;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.a6suite.logging.BatchingLineAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The logback.xml shipped in the runner jar, read by Joran as the runner reads it. */
class ShippedLogbackConfigTest {

    private final LoggerContext context = new LoggerContext();

    @AfterEach
    void stop() {
        Object hook = context.getObject(CoreConstants.SHUTDOWN_HOOK_THREAD);
        if (hook instanceof Thread thread) {
            Runtime.getRuntime().removeShutdownHook(thread);
        }
        context.stop();
    }

    private void configure() throws Exception {
        URL shipped = Launcher.class.getResource("/logback.xml");
        assertThat(shipped).as("logback.xml in the runner's resources").isNotNull();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(shipped);
    }

    private static List<Appender<ILoggingEvent>> appenders(Logger logger) {
        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        logger.iteratorForAppenders().forEachRemaining(appenders::add);
        return appenders;
    }

    private static String pattern(Object encoder) {
        return ((PatternLayoutEncoder) encoder).getPattern();
    }

    @Test
    void shouldWriteBothCallLogsThroughTheBatchingAppenderToStderrOnly() throws Exception {
        configure();

        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() >= Status.WARN);
        for (String name : List.of("a6.ai.calls", "org.a6suite.mcp.calls")) {
            Logger callLog = context.getLogger(name);
            assertThat(callLog.isAdditive()).as(name + " additivity").isFalse();
            assertThat(callLog.isInfoEnabled()).as(name + " at INFO").isTrue();
            assertThat(appenders(callLog)).singleElement().isInstanceOfSatisfying(BatchingLineAppender.class, calls -> {
                assertThat(calls.isStarted()).isTrue();
                assertThat(calls.getTarget()).isEqualTo("System.err");
                assertThat(calls.getFile()).isNull();
            });
        }
        assertThat(appenders(context.getLogger("a6.ai.calls")).getFirst())
                .isSameAs(appenders(context.getLogger("org.a6suite.mcp.calls")).getFirst());
    }

    @Test
    void shouldKeepTheCallLogLinesLookingLikeEveryOtherStderrLine() throws Exception {
        configure();

        var calls = (BatchingLineAppender)
                appenders(context.getLogger("a6.ai.calls")).getFirst();
        var stderr = (ConsoleAppender<ILoggingEvent>)
                appenders(context.getLogger(Logger.ROOT_LOGGER_NAME)).getFirst();
        assertThat(pattern(calls.getEncoder()))
                .isEqualTo(pattern(stderr.getEncoder()))
                .isEqualTo("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n");
    }

    @Test
    void shouldRegisterAShutdownHookSoQueuedLinesAreWrittenAtExit() throws Exception {
        configure();

        assertThat(context.getObject(CoreConstants.SHUTDOWN_HOOK_THREAD)).isInstanceOf(Thread.class);
    }
}
