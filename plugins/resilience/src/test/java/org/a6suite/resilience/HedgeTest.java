package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.a6suite.resilience.testing.ManualScheduler;
import org.a6suite.resilience.testing.ManualTicker;
import org.junit.jupiter.api.Test;

class HedgeTest {

    private final ManualTicker ticker = new ManualTicker();
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final ScriptedCall<String> primary = new ScriptedCall<>();
    private final ScriptedCall<String> secondary = new ScriptedCall<>();
    private final HedgeBudget generous =
            HedgeBudget.of(HedgeBudgetConfig.builder().maxExtraLoad(1.0).build(), ticker);

    private DeadlineCall<String> hedged(HedgeBudget budget) {
        return Hedge.of(HedgeDelay.fixed(Duration.ofMillis(100)), budget, scheduler)
                .decorate(primary, secondary, OutcomeClassifier.ofDefaults());
    }

    @Test
    void shouldFireHedgeAfterDelayAndCancelLoserWhenHedgeWins() {
        CompletableFuture<String> result =
                hedged(generous).call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(99);
        assertThat(secondary.count()).isZero();
        scheduler.advanceMillis(1);
        assertThat(secondary.count()).isEqualTo(1);

        secondary.get(0).complete("from-secondary");

        assertThat(result).isCompletedWithValue("from-secondary");
        assertThat(primary.get(0)).isCancelled();
    }

    @Test
    void shouldCancelHedgeWhenPrimaryWins() {
        CompletableFuture<String> result =
                hedged(generous).call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(150);
        primary.get(0).complete("from-primary");
        assertThat(result).isCompletedWithValue("from-primary");
        assertThat(secondary.get(0)).isCancelled();
    }

    @Test
    void shouldNotHedgeWhenPrimaryAnswersBeforeDelay() {
        CompletableFuture<String> result =
                hedged(generous).call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(50);
        primary.get(0).complete("fast");
        scheduler.advanceMillis(500);
        assertThat(result).isCompletedWithValue("fast");
        assertThat(secondary.count()).isZero();
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void shouldWaitForHedgeWhenPrimaryFailsAfterHedgeStarted() {
        CompletableFuture<String> result =
                hedged(generous).call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(100);
        primary.get(0).completeExceptionally(new IOException("reset"));
        assertThat(result).isNotDone();
        secondary.get(0).complete("saved");
        assertThat(result).isCompletedWithValue("saved");
    }

    @Test
    void shouldReturnPrimaryFailureWhenBothFail() {
        CompletableFuture<String> result =
                hedged(generous).call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(100);
        secondary.get(0).completeExceptionally(new IOException("hedge failed"));
        assertThat(result).isNotDone();
        primary.get(0).completeExceptionally(new IOException("primary failed"));
        assertThatThrownBy(result::join).cause().hasMessage("primary failed");
    }

    @Test
    void shouldNotHedgeWhenDelayExceedsDeadline() {
        CompletableFuture<String> result = hedged(generous)
                .call(Deadline.ofTimeout(ticker, Duration.ofMillis(80)))
                .toCompletableFuture();
        scheduler.advanceMillis(200);
        assertThat(secondary.count()).isZero();
        assertThat(result).isNotDone();
    }

    @Test
    void shouldCapHedgesToExtraLoadShare() {
        HedgeBudget budget =
                HedgeBudget.of(HedgeBudgetConfig.builder().maxExtraLoad(0.05).build(), ticker);
        DeadlineCall<String> call = hedged(budget);
        for (int i = 0; i < 1_000; i++) {
            call.call(Deadline.never(ticker));
        }
        // Every primary is slow: without the cap each of the 1000 calls would hedge.
        scheduler.advanceMillis(100);
        assertThat(secondary.count()).isEqualTo(50);
        assertThat(budget.hedges()).isEqualTo(50);
        assertThat(budget.calls()).isEqualTo(1_000);
    }

    @Test
    void shouldCancelBothWhenCallerCancels() {
        CompletableFuture<String> result =
                hedged(generous).call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(100);
        result.cancel(true);
        assertThat(primary.get(0)).isCancelled();
        assertThat(secondary.get(0)).isCancelled();
    }
}
