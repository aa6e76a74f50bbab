package org.a6suite.runner.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final Logger logger = (Logger) LoggerFactory.getLogger("test.rate-limited");
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private final RateLimitedLog log = new RateLimitedLog(logger, Duration.ofSeconds(10), nanos::get);

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
    void shouldLogTheFirstLineAndCountTheRestUntilTheIntervalEnds() {
        for (int i = 0; i < 1_000; i++) {
            log.warn("flood", "bad frame {}", i);
        }
        assertThat(captured.list).hasSize(1);
        assertThat(captured.list.get(0).getFormattedMessage()).isEqualTo("bad frame 0 [kind=flood]");
        assertThat(log.pending("flood")).isEqualTo(999);

        nanos.addAndGet(Duration.ofSeconds(10).toNanos());
        log.warn("flood", "bad frame {}", 1_000);
        assertThat(captured.list).hasSize(2);
        assertThat(captured.list.get(1).getFormattedMessage())
                .isEqualTo("bad frame 1000 [kind=flood, 999 similar suppressed in the last 10 s]");
        assertThat(log.pending("flood")).isZero();
    }

    @Test
    void shouldLimitEachKindSeparately() {
        log.warn("a", "one");
        log.warn("b", "two");
        log.warn("a", "three");
        assertThat(captured.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .isEqualTo(List.of("one [kind=a]", "two [kind=b]"));
    }

    @Test
    void shouldKeepATrailingThrowableAsTheStackTrace() {
        log.warn("e", "failed on {}", "route", new IllegalStateException("boom"));
        ILoggingEvent event = captured.list.get(0);
        assertThat(event.getFormattedMessage()).isEqualTo("failed on route [kind=e]");
        assertThat(event.getThrowableProxy().getMessage()).isEqualTo("boom");
    }
}
