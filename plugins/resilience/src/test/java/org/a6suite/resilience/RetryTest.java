package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.a6suite.resilience.testing.ManualScheduler;
import org.a6suite.resilience.testing.ManualTicker;
import org.junit.jupiter.api.Test;

class RetryTest {

    private final ManualTicker ticker = new ManualTicker();
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final ScriptedCall<String> inner = new ScriptedCall<>();

    /** An exception carrying a server's Retry-After, as a provider adapter would throw for a 429. */
    static final class RateLimited extends RuntimeException implements RetryAfterAware {
        private final Duration after;

        RateLimited(Duration after) {
            super("429");
            this.after = after;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.of(after);
        }
    }

    private Retry retry(RetryConfig config, Optional<RetryBudget> budget) {
        return Retry.of(config, budget, new Random(7), scheduler);
    }

    @Test
    void shouldDrawFullJitterBackoffWithinExponentialBoundsCappedAtMax() {
        Retry retry = retry(
                RetryConfig.builder()
                        .baseBackoff(Duration.ofMillis(25))
                        .maxBackoff(Duration.ofMillis(250))
                        .build(),
                Optional.empty());
        long[] maxSeen = new long[6];
        long[] minSeen = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE
        };
        for (int sample = 0; sample < 2_000; sample++) {
            for (int n = 0; n < 6; n++) {
                long ms = retry.backoff(n).toNanos();
                maxSeen[n] = Math.max(maxSeen[n], ms);
                minSeen[n] = Math.min(minSeen[n], ms);
            }
        }
        long[] caps = {25, 50, 100, 200, 250, 250};
        for (int n = 0; n < 6; n++) {
            long cap = Duration.ofMillis(caps[n]).toNanos();
            assertThat(maxSeen[n]).isLessThanOrEqualTo(cap).isGreaterThan(cap * 9 / 10);
            assertThat(minSeen[n]).isLessThan(cap / 10);
        }
        assertThat(retry.backoff(200)).isLessThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void shouldRetryRetryableFailuresAfterBackoffUpToMaxAttempts() {
        DeadlineCall<String> call = retry(RetryConfig.builder().maxAttempts(3).build(), Optional.empty())
                .decorate(inner, OutcomeClassifier.ofDefaults());
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();

        inner.get(0).completeExceptionally(new IOException("reset"));
        assertThat(scheduler.pendingDelays())
                .singleElement()
                .satisfies(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(25)));
        scheduler.advanceMillis(25);
        assertThat(inner.count()).isEqualTo(2);
        inner.get(1).completeExceptionally(new IOException("reset"));
        scheduler.advanceMillis(50);
        assertThat(inner.count()).isEqualTo(3);
        inner.get(2).completeExceptionally(new IOException("reset again"));

        assertThatThrownBy(result::join).cause().isInstanceOf(IOException.class).hasMessage("reset again");
        assertThat(inner.count()).isEqualTo(3);
    }

    @Test
    void shouldNotRetryNonRetryableFailure() {
        DeadlineCall<String> call =
                retry(RetryConfig.DEFAULT, Optional.empty()).decorate(inner, OutcomeClassifier.ofDefaults());
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        inner.get(0).completeExceptionally(new IllegalStateException("400 bad request"));
        assertThat(result).isCompletedExceptionally();
        assertThat(inner.count()).isEqualTo(1);
    }

    @Test
    void shouldReturnLastResultWhenRetryableResultsExhaustAttempts() {
        DeadlineCall<String> call = retry(RetryConfig.builder().maxAttempts(2).build(), Optional.empty())
                .decorate(inner, (r, e) -> "503".equals(r) ? Outcome.retryable() : Outcome.success());
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        inner.get(0).complete("503");
        scheduler.advanceMillis(25);
        inner.get(1).complete("503");
        assertThat(result).isCompletedWithValue("503");
    }

    @Test
    void shouldWaitAtLeastRetryAfter() {
        DeadlineCall<String> call =
                retry(RetryConfig.DEFAULT, Optional.empty()).decorate(inner, OutcomeClassifier.ofDefaults());
        CompletableFuture<String> result =
                call.call(Deadline.ofTimeout(ticker, Duration.ofSeconds(10))).toCompletableFuture();
        inner.get(0).completeExceptionally(new RateLimited(Duration.ofSeconds(2)));

        scheduler.advanceMillis(1_999);
        assertThat(inner.count()).isEqualTo(1);
        scheduler.advanceMillis(1);
        assertThat(inner.count()).isEqualTo(2);
        inner.get(1).complete("ok");
        assertThat(result).isCompletedWithValue("ok");
    }

    @Test
    void shouldGiveUpAtOnceWhenRetryAfterWouldPassTheDeadline() {
        DeadlineCall<String> call =
                retry(RetryConfig.DEFAULT, Optional.empty()).decorate(inner, OutcomeClassifier.ofDefaults());
        CompletableFuture<String> result =
                call.call(Deadline.ofTimeout(ticker, Duration.ofSeconds(1))).toCompletableFuture();
        inner.get(0).completeExceptionally(new RateLimited(Duration.ofSeconds(5)));

        assertThatThrownBy(result::join).cause().isInstanceOf(RateLimited.class);
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(inner.count()).isEqualTo(1);
    }

    @Test
    void shouldNeverScheduleBackoffPastTheTotalDeadline() {
        DeadlineCall<String> call = retry(
                        RetryConfig.builder()
                                .maxAttempts(10)
                                .baseBackoff(Duration.ofMillis(100))
                                .maxBackoff(Duration.ofSeconds(1))
                                .build(),
                        Optional.empty())
                .decorate(inner, OutcomeClassifier.ofDefaults());
        Deadline deadline = Deadline.ofTimeout(ticker, Duration.ofMillis(500));
        CompletableFuture<String> result = call.call(deadline).toCompletableFuture();
        for (int guard = 0; guard < 20 && !result.isDone(); guard++) {
            inner.last().completeExceptionally(new IOException("reset"));
            for (Duration pending : scheduler.pendingDelays()) {
                assertThat(pending).isLessThan(deadline.remaining());
            }
            scheduler.advance(
                    scheduler.pendingDelays().isEmpty()
                            ? Duration.ZERO
                            : scheduler.pendingDelays().get(0));
        }
        assertThat(result).isCompletedExceptionally();
        assertThat(ticker.nanoTime()).isLessThan(Duration.ofMillis(500).toNanos() + 1_000_000_000L);
    }

    @Test
    void shouldCancelInFlightAttemptAndPendingBackoffWhenCancelled() {
        DeadlineCall<String> call =
                retry(RetryConfig.DEFAULT, Optional.empty()).decorate(inner, OutcomeClassifier.ofDefaults());
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        inner.get(0).completeExceptionally(new IOException("reset"));
        result.cancel(true);
        scheduler.advanceMillis(1_000);
        assertThat(inner.count()).isEqualTo(1);
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void shouldStopRetryStormWithBudget() {
        RetryBudget budget = RetryBudget.of(RetryBudgetConfig.DEFAULT, ticker);
        int[] attempts = {0};
        DeadlineCall<String> failing = d -> {
            attempts[0]++;
            return CompletableFuture.failedFuture(new IOException("backend down"));
        };
        DeadlineCall<String> stormy = Retry.of(
                        RetryConfig.builder()
                                .maxAttempts(3)
                                .baseBackoff(Duration.ZERO)
                                .maxBackoff(Duration.ZERO)
                                .build(),
                        Optional.of(budget),
                        new Random(7),
                        scheduler)
                .decorate(failing, OutcomeClassifier.ofDefaults());
        for (int i = 0; i < 1_000; i++) {
            assertThat(stormy.call(Deadline.never(ticker))).isCompletedExceptionally();
        }
        // Without a budget: 1000 x 3 = 3000 attempts. With it: 1000 + 20% x 1000 + 10/s x 10 s = 1300.
        assertThat(budget.requests()).isEqualTo(1_000);
        assertThat(budget.retries()).isEqualTo(300);
        assertThat(attempts[0]).isEqualTo(1_300);
    }

    @Test
    void shouldRefillBudgetAsWindowSlides() {
        RetryBudget budget = RetryBudget.of(
                RetryBudgetConfig.builder().ratio(0.2).minRetriesPerSecond(0).build(), ticker);
        for (int i = 0; i < 10; i++) {
            budget.onRequest();
        }
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
        ticker.advance(Duration.ofSeconds(11));
        assertThat(budget.requests()).isZero();
        assertThat(budget.tryAcquireRetry()).isFalse();
        for (int i = 0; i < 5; i++) {
            budget.onRequest();
        }
        assertThat(budget.tryAcquireRetry()).isTrue();
    }

    @Test
    void shouldRejectConflictingConfig() {
        assertThatThrownBy(() -> RetryConfig.builder()
                        .baseBackoff(Duration.ofSeconds(1))
                        .maxBackoff(Duration.ofMillis(10))
                        .build())
                .hasMessage("maxBackoff: PT0.01S (expected: >= baseBackoff (PT1S))");
        assertThatThrownBy(() -> RetryConfig.builder().maxAttempts(0).build())
                .hasMessage("maxAttempts: 0 (expected: 1 <= maxAttempts <= 10)");
        assertThatThrownBy(() -> RetryBudgetConfig.builder().ratio(-1).build())
                .hasMessage("ratio: -1.0 (expected: 0.0 <= ratio <= 10.0)");
    }
}
