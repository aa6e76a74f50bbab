package org.a6suite.plugin.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.a6suite.plugin.OutcomeRecorder;
import org.junit.jupiter.api.Test;

class TestPluginEnvironmentTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldMoveTheManualClockOnlyWhenAdvanced() {
        ManualClock clock = new ManualClock(START);

        clock.advance(Duration.ofMillis(1500));

        assertThat(clock.instant()).isEqualTo(START.plusMillis(1500));
        assertThat(clock.millis()).isEqualTo(START.toEpochMilli() + 1500);
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).hasMessageContaining("expected: >= 0");
    }

    @Test
    void shouldRecordMetricsOutcomesAndServeTheVariablesTheTestSet() {
        try (TestPluginEnvironment env = new TestPluginEnvironment(new ManualClock(START)).setenv("KEY", "v")) {
            env.metrics().increment("calls_total", "", Map.of("target", "a", "outcome", "ok"), 2);
            env.metrics().increment("calls_total", "", Map.of("target", "b", "outcome", "ok"), 5);
            env.metrics().observe("latency_seconds", "", Map.of("target", "a"), 0.1);
            env.outcomes()
                    .record(new OutcomeRecorder.Outcome(
                            "ai/a",
                            "127.0.0.1:80",
                            Optional.of(200),
                            Duration.ofMillis(3),
                            OutcomeRecorder.Result.SUCCESS));

            assertThat(env.sum("calls_total", Map.of("outcome", "ok"))).isEqualTo(7);
            assertThat(env.sum("calls_total", Map.of("target", "a"))).isEqualTo(2);
            assertThat(env.observed("latency_seconds", Map.of())).isEqualTo(1);
            assertThat(env.outcomes).hasSize(1);
            assertThat(env.getenv("KEY")).contains("v");
            assertThat(env.getenv("OTHER")).isEmpty();
            assertThat(env.clock().instant()).isEqualTo(START);
        }
    }

    @Test
    void shouldRunTimerTasksUntilClosed() throws Exception {
        TestPluginEnvironment env = TestPluginEnvironment.withEnv(Map.of());
        CompletableFuture<String> ran = new CompletableFuture<>();

        env.scheduler().schedule(() -> ran.complete("ran"), 1, TimeUnit.MILLISECONDS);

        assertThat(ran.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
        env.close();
        assertThat(env.scheduler().isShutdown()).isTrue();
    }

    @Test
    void shouldRecordWhatBoundHandlesRecord() {
        try (TestPluginEnvironment env = new TestPluginEnvironment(new ManualClock(START))) {
            var calls = env.metrics().counter("calls_total", "", Map.of("target", "a"));
            var latency = env.metrics().histogram("latency_seconds", "", Map.of("target", "a"));

            calls.increment(2);
            calls.increment(3);
            latency.observe(0.1);

            assertThat(env.sum("calls_total", Map.of("target", "a"))).isEqualTo(5);
            assertThat(env.observed("latency_seconds", Map.of("target", "a"))).isEqualTo(1);
        }
    }
}
