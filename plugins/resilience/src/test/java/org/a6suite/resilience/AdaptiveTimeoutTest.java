package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.a6suite.resilience.testing.ManualScheduler;
import org.a6suite.resilience.testing.ManualTicker;
import org.junit.jupiter.api.Test;

class AdaptiveTimeoutTest {

    private final ManualTicker ticker = new ManualTicker();
    private final AdaptiveTimeoutConfig config = AdaptiveTimeoutConfig.builder()
            .percentile(99)
            .multiplier(2)
            .floor(Duration.ofMillis(50))
            .ceiling(Duration.ofSeconds(5))
            .minSamples(20)
            .warmupTimeout(Duration.ofSeconds(3))
            .window(Duration.ofSeconds(60))
            .windowIntervals(6)
            .refreshInterval(Duration.ZERO)
            .build();
    private final AdaptiveTimeout adaptive = AdaptiveTimeout.of(config, ticker);

    private void recordMany(String key, int count, Duration latency) {
        for (int i = 0; i < count; i++) {
            adaptive.record(key, latency);
        }
    }

    @Test
    void shouldUseWarmupTimeoutUntilMinimumSamples() {
        recordMany("p/m", 19, Duration.ofMillis(100));
        assertThat(adaptive.timeout("p/m")).isEqualTo(Duration.ofSeconds(3));
        assertThat(adaptive.percentile("p/m", 95)).isEmpty();
        adaptive.record("p/m", Duration.ofMillis(100));
        assertThat(adaptive.timeout("p/m")).isBetween(Duration.ofMillis(198), Duration.ofMillis(202));
    }

    @Test
    void shouldFollowLatencyShiftAfterWindowRolls() {
        recordMany("p/m", 100, Duration.ofMillis(200));
        assertThat(adaptive.timeout("p/m")).isBetween(Duration.ofMillis(396), Duration.ofMillis(404));

        // The backend slows down; old samples still dominate the p99 until their intervals leave the window.
        ticker.advance(Duration.ofSeconds(30));
        recordMany("p/m", 100, Duration.ofMillis(1_000));
        assertThat(adaptive.timeout("p/m")).isBetween(Duration.ofMillis(1_980), Duration.ofMillis(2_020));
        ticker.advance(Duration.ofSeconds(35));
        recordMany("p/m", 100, Duration.ofMillis(1_000));
        assertThat(adaptive.sampleCount("p/m")).isEqualTo(200);

        // And speeds up again: once the slow intervals leave, the timeout comes back down.
        ticker.advance(Duration.ofSeconds(61));
        recordMany("p/m", 100, Duration.ofMillis(100));
        assertThat(adaptive.sampleCount("p/m")).isEqualTo(100);
        assertThat(adaptive.timeout("p/m")).isBetween(Duration.ofMillis(198), Duration.ofMillis(202));
    }

    @Test
    void shouldClampToFloorAndCeiling() {
        recordMany("fast", 50, Duration.ofMillis(1));
        recordMany("slow", 50, Duration.ofSeconds(20));
        assertThat(adaptive.timeout("fast")).isEqualTo(Duration.ofMillis(50));
        assertThat(adaptive.timeout("slow")).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldGrowAfterShiftAboveTimeoutByRecordingTimedOutAttempts() {
        ManualScheduler scheduler = new ManualScheduler(ticker);
        ScriptedCall<String> backend = new ScriptedCall<>();
        DeadlineCall<String> call = Decorators.of((DeadlineCall<String>) backend)
                .withTicker(ticker)
                .withAdaptiveTimeout(adaptive, "p/m", scheduler)
                .get();
        recordMany("p/m", 50, Duration.ofMillis(100));
        Duration before = adaptive.timeout("p/m");

        // The backend now hangs: every attempt times out, and each timeout is recorded at its allowed time.
        for (int i = 0; i < 200; i++) {
            call.call(Deadline.never(ticker));
            scheduler.advance(adaptive.timeout("p/m"));
        }
        assertThat(backend.invocations).allMatch(f -> f.isCancelled());
        assertThat(adaptive.timeout("p/m")).isGreaterThan(before.multipliedBy(4));
    }

    @Test
    void shouldReuseComputedPercentileWithinRefreshInterval() {
        AdaptiveTimeout cached = AdaptiveTimeout.of(
                config.toBuilder().refreshInterval(Duration.ofSeconds(1)).build(), ticker);
        for (int i = 0; i < 50; i++) {
            cached.record("k", Duration.ofMillis(100));
        }
        Duration first = cached.timeout("k");
        for (int i = 0; i < 500; i++) {
            cached.record("k", Duration.ofMillis(900));
        }
        assertThat(cached.timeout("k")).isEqualTo(first);
        ticker.advance(Duration.ofSeconds(1));
        assertThat(cached.timeout("k")).isGreaterThan(Duration.ofMillis(1_700));
    }

    @Test
    void shouldRejectConflictingConfig() {
        assertThatThrownBy(() -> AdaptiveTimeoutConfig.builder()
                        .floor(Duration.ofSeconds(10))
                        .ceiling(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ceiling: PT1S (expected: >= floor (PT10S))");
        assertThatThrownBy(() -> AdaptiveTimeoutConfig.builder()
                        .warmupTimeout(Duration.ofMinutes(5))
                        .build())
                .hasMessage("warmupTimeout: PT5M (expected: PT0.1S <= warmupTimeout <= PT30S)");
        assertThatThrownBy(() -> AdaptiveTimeoutConfig.builder().multiplier(0.5).build())
                .hasMessage("multiplier: 0.5 (expected: 1.0 <= multiplier <= 100.0)");
    }

    @Test
    void shouldGiveHedgeDelayFromPercentileOrWarmup() {
        HedgeDelay delay = HedgeDelay.percentile(adaptive, "p/m", 95, Duration.ofMillis(500));
        assertThat(delay.delay()).isEqualTo(Duration.ofMillis(500));
        recordMany("p/m", 95, Duration.ofMillis(100));
        recordMany("p/m", 5, Duration.ofMillis(900));
        assertThat(delay.delay()).isBetween(Duration.ofMillis(99), Duration.ofMillis(101));
        assertThat(adaptive.percentile("p/m", 99))
                .hasValueSatisfying(d -> assertThat(d).isGreaterThan(Duration.ofMillis(880)));
    }
}
