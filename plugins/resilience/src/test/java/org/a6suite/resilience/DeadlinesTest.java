package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.resilience.testing.ManualScheduler;
import org.a6suite.resilience.testing.ManualTicker;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

    private final ManualTicker ticker = new ManualTicker();
    private final ManualScheduler scheduler = new ManualScheduler(ticker);

    @Test
    void shouldReportRemainingTimeAndExpiry() {
        Deadline deadline = Deadline.ofTimeout(ticker, Duration.ofMillis(100));
        ticker.advanceMillis(40);
        assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(60));
        assertThat(deadline.isExpired()).isFalse();
        ticker.advanceMillis(60);
        assertThat(deadline.isExpired()).isTrue();
        assertThat(deadline.remaining()).isZero();
    }

    @Test
    void shouldPickEarlierDeadlineAndTreatNeverAsLatest() {
        Deadline short_ = Deadline.ofTimeout(ticker, Duration.ofMillis(10));
        Deadline long_ = Deadline.ofTimeout(ticker, Duration.ofSeconds(10));
        Deadline never = Deadline.never(ticker);
        assertThat(long_.min(short_)).isSameAs(short_);
        assertThat(short_.min(never)).isSameAs(short_);
        assertThat(never.min(long_)).isSameAs(long_);
        assertThat(never.remaining()).isEqualTo(Deadline.INFINITE);
        assertThat(Deadline.ofTimeout(ticker, Duration.ofDays(365 * 1000)).isInfinite())
                .isTrue();
    }

    @Test
    void shouldFailWithTypedExceptionAndCancelInnerStageWhenAttemptDeadlineExpires() {
        ScriptedCall<String> inner = new ScriptedCall<>();
        DeadlineCall<String> call = Deadlines.withAttemptTimeout(inner, Duration.ofMillis(200), scheduler);

        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        assertThat(inner.deadlines.get(0).remaining()).isEqualTo(Duration.ofMillis(200));
        scheduler.advanceMillis(199);
        assertThat(result).isNotDone();
        scheduler.advanceMillis(1);

        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(DeadlineExceededException.class, e -> {
                    assertThat(e.scope()).isEqualTo(DeadlineExceededException.Scope.ATTEMPT);
                    assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200));
                });
        assertThat(inner.get(0)).isCancelled();
    }

    @Test
    void shouldReportTotalScopeWhenCallersDeadlineIsEarlier() {
        ScriptedCall<String> inner = new ScriptedCall<>();
        DeadlineCall<String> call = Deadlines.withAttemptTimeout(inner, Duration.ofSeconds(5), scheduler);

        CompletableFuture<String> result =
                call.call(Deadline.ofTimeout(ticker, Duration.ofMillis(50))).toCompletableFuture();
        scheduler.advanceMillis(50);

        assertThatThrownBy(result::join)
                .cause()
                .isInstanceOfSatisfying(
                        DeadlineExceededException.class,
                        e -> assertThat(e.scope()).isEqualTo(DeadlineExceededException.Scope.TOTAL));
        assertThat(inner.get(0)).isCancelled();
    }

    @Test
    void shouldPassResultThroughAndCancelTimerWhenInnerCompletesInTime() {
        ScriptedCall<String> inner = new ScriptedCall<>();
        DeadlineCall<String> call = Deadlines.withTotalTimeout(inner, Duration.ofSeconds(1), scheduler);

        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(100);
        inner.get(0).complete("ok");

        assertThat(result).isCompletedWithValue("ok");
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void shouldNotStartInnerCallWhenDeadlineAlreadyExpired() {
        ScriptedCall<String> inner = new ScriptedCall<>();
        DeadlineCall<String> call = Deadlines.withTotalTimeout(inner, Duration.ofSeconds(1), scheduler);
        Deadline expired = Deadline.ofTimeout(ticker, Duration.ZERO);

        CompletableFuture<String> result = call.call(expired).toCompletableFuture();

        assertThat(result).isCompletedExceptionally();
        assertThat(inner.count()).isZero();
    }

    @Test
    void shouldCancelInnerStageWhenOuterIsCancelled() {
        ScriptedCall<String> inner = new ScriptedCall<>();
        DeadlineCall<String> call = Deadlines.withTotalTimeout(inner, Duration.ofSeconds(1), scheduler);
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();

        result.cancel(true);

        assertThat(inner.get(0)).isCancelled();
    }

    @Test
    void shouldRejectNonPositiveTimeoutNamingTheField() {
        assertThatThrownBy(() -> Deadlines.withTotalTimeout(new ScriptedCall<>(), Duration.ZERO, scheduler))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout: PT0S (expected: > 0)");
    }

    @Test
    void shouldExpireOnRealSchedulerToo() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            DeadlineCall<String> call =
                    Deadlines.withAttemptTimeout(new ScriptedCall<>(), Duration.ofMillis(20), Scheduler.of(executor));
            CompletableFuture<String> result =
                    call.call(Deadline.never(Ticker.systemTicker())).toCompletableFuture();
            assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(DeadlineExceededException.class);
        } finally {
            executor.shutdownNow();
        }
    }
}
