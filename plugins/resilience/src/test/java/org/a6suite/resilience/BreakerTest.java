package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.a6suite.resilience.testing.ManualTicker;
import org.junit.jupiter.api.Test;

class BreakerTest {

    private final ManualTicker ticker = new ManualTicker();
    private final BreakerConfig config = BreakerConfig.builder()
            .windowSize(10)
            .minimumCalls(10)
            .failureRateThreshold(50)
            .slowCallDuration(Duration.ofSeconds(2))
            .slowCallRateThreshold(80)
            .waitInOpenState(Duration.ofSeconds(30))
            .permittedCallsInHalfOpen(3)
            .build();
    private final Breaker breaker = Breaker.of("openai/gpt-4o", config, ticker);
    private final ScriptedCall<String> inner = new ScriptedCall<>();
    private final DeadlineCall<String> call = breaker.decorate(inner, OutcomeClassifier.ofDefaults());

    private CompletableFuture<String> succeed(Duration took) {
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        ticker.advance(took);
        inner.last().complete("ok");
        return result;
    }

    private CompletableFuture<String> fail() {
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        inner.last().completeExceptionally(new IOException("connection reset"));
        return result;
    }

    @Test
    void shouldOpenAfterFailureRateThresholdExceeded() {
        for (int i = 0; i < 5; i++) {
            succeed(Duration.ofMillis(10));
        }
        for (int i = 0; i < 4; i++) {
            fail();
        }
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        fail();
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);

        int invocationsBefore = inner.count();
        CompletableFuture<String> rejected = call.call(Deadline.never(ticker)).toCompletableFuture();
        assertThat(inner.count()).isEqualTo(invocationsBefore);
        assertThatThrownBy(rejected::join).cause().isInstanceOfSatisfying(CallNotPermittedException.class, e -> {
            assertThat(e.breakerName()).isEqualTo("openai/gpt-4o");
            assertThat(e.state()).isEqualTo(BreakerState.OPEN);
        });
    }

    @Test
    void shouldHalfOpenAfterWaitAndCloseAfterSuccessfulProbes() {
        for (int i = 0; i < 10; i++) {
            fail();
        }
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
        ticker.advance(Duration.ofSeconds(29));
        assertThat(fail()).isCompletedExceptionally();
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);

        ticker.advance(Duration.ofSeconds(2));
        CompletableFuture<String> probe1 = call.call(Deadline.never(ticker)).toCompletableFuture();
        assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);
        CompletableFuture<String> probe2 = call.call(Deadline.never(ticker)).toCompletableFuture();
        CompletableFuture<String> probe3 = call.call(Deadline.never(ticker)).toCompletableFuture();
        CompletableFuture<String> fourth = call.call(Deadline.never(ticker)).toCompletableFuture();
        assertThatThrownBy(fourth::join).cause().isInstanceOf(CallNotPermittedException.class);

        int n = inner.count();
        inner.get(n - 3).complete("a");
        inner.get(n - 2).complete("b");
        inner.get(n - 1).complete("c");
        assertThat(probe1).isCompletedWithValue("a");
        assertThat(probe2).isCompleted();
        assertThat(probe3).isCompleted();
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void shouldReopenWhenHalfOpenProbesFail() {
        for (int i = 0; i < 10; i++) {
            fail();
        }
        ticker.advance(Duration.ofSeconds(31));
        fail();
        fail();
        fail();
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void shouldOpenWhenSlowCallRateExceededMeasuredOnTicker() {
        for (int i = 0; i < 2; i++) {
            succeed(Duration.ofMillis(100));
        }
        for (int i = 0; i < 7; i++) {
            succeed(Duration.ofSeconds(3));
        }
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        succeed(Duration.ofSeconds(3));
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
        assertThat(breaker.unwrap().getMetrics().getNumberOfSlowCalls()).isEqualTo(8);
    }

    @Test
    void shouldNotCountIgnoredOrCancelledAttempts() {
        DeadlineCall<String> ignoring = breaker.decorate(inner, (result, error) -> Outcome.ignored());
        for (int i = 0; i < 20; i++) {
            ignoring.call(Deadline.never(ticker));
            inner.last().completeExceptionally(new IllegalArgumentException("bad request"));
            call.call(Deadline.never(ticker)).toCompletableFuture().cancel(true);
        }
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.unwrap().getMetrics().getNumberOfBufferedCalls()).isZero();
    }

    @Test
    void shouldCountFailedResultsJudgedByClassifier() {
        DeadlineCall<String> byResult = breaker.decorate(
                inner, (result, error) -> "503".equals(result) ? Outcome.retryable() : Outcome.success());
        for (int i = 0; i < 10; i++) {
            byResult.call(Deadline.never(ticker));
            inner.last().complete("503");
        }
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void shouldKeepOneBreakerPerKeyInRegistry() {
        BreakerRegistry registry = BreakerRegistry.of(config, ticker);
        assertThat(registry.breaker("a/m1")).isSameAs(registry.breaker("a/m1"));
        assertThat(registry.breaker("a/m1")).isNotSameAs(registry.breaker("b/m1"));
        registry.breaker("a/m1").unwrap().transitionToOpenState();
        assertThat(registry.states())
                .containsEntry("a/m1", BreakerState.OPEN)
                .containsEntry("b/m1", BreakerState.CLOSED);
    }

    @Test
    void shouldRejectConflictingConfig() {
        assertThatThrownBy(() -> BreakerConfig.builder().failureRateThreshold(0).build())
                .hasMessage("failureRateThreshold: 0.0 (expected: 0 < failureRateThreshold <= 100)");
        assertThatThrownBy(() ->
                        BreakerConfig.builder().permittedCallsInHalfOpen(0).build())
                .hasMessage("permittedCallsInHalfOpen: 0 (expected: 1 <= permittedCallsInHalfOpen <= 10000)");
    }
}
