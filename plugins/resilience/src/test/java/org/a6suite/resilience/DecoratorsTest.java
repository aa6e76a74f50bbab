package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.a6suite.resilience.testing.ManualScheduler;
import org.a6suite.resilience.testing.ManualTicker;
import org.junit.jupiter.api.Test;

class DecoratorsTest {

    private final ManualTicker ticker = new ManualTicker();
    private final ManualScheduler scheduler = new ManualScheduler(ticker);
    private final List<AttemptEvent> events = new CopyOnWriteArrayList<>();

    @Test
    void shouldRetryTimedOutAttemptsRecordEachAndFallBackWhenAllFail() {
        ScriptedCall<String> provider = new ScriptedCall<>();
        Breaker breaker = Breaker.of("p/m", BreakerConfig.DEFAULT, ticker);
        DeadlineCall<String> call = Decorators.of((DeadlineCall<String>) provider)
                .withTicker(ticker)
                .withAttemptTimeout(Duration.ofSeconds(1), scheduler)
                .withAttemptListener("p/m", events::add)
                .withBreaker(breaker)
                .withRetry(Retry.of(
                        RetryConfig.builder().maxAttempts(3).build(), Optional.empty(), new Random(1), scheduler))
                .withTotalTimeout(Duration.ofSeconds(10), scheduler)
                .withFallback(cause -> true, (cause, d) -> CompletableFuture.completedFuture("static answer"))
                .get();

        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        for (int i = 0; i < 10 && !result.isDone(); i++) {
            scheduler.advanceMillis(1_000);
        }

        assertThat(result).isCompletedWithValue("static answer");
        assertThat(provider.count()).isEqualTo(3);
        assertThat(provider.invocations).allMatch(CompletableFuture::isCancelled);
        assertThat(events).hasSize(3).allSatisfy(event -> {
            assertThat(event.target()).isEqualTo("p/m");
            assertThat(event.outcome().type()).isEqualTo(Outcome.Type.RETRYABLE_FAILURE);
            assertThat(event.duration()).isEqualTo(Duration.ofSeconds(1));
            assertThat(event.error()).containsInstanceOf(DeadlineExceededException.class);
        });
        assertThat(breaker.unwrap().getMetrics().getNumberOfFailedCalls()).isEqualTo(3);
    }

    @Test
    void shouldHedgeToSecondProviderAndReportBothAttempts() {
        ScriptedCall<String> first = new ScriptedCall<>();
        ScriptedCall<String> second = new ScriptedCall<>();
        DeadlineCall<String> secondary = Decorators.of((DeadlineCall<String>) second)
                .withTicker(ticker)
                .withAttemptListener("b/m", events::add)
                .get();
        DeadlineCall<String> call = Decorators.of((DeadlineCall<String>) first)
                .withTicker(ticker)
                .withAttemptListener("a/m", events::add)
                .withHedge(
                        Hedge.of(
                                HedgeDelay.fixed(Duration.ofMillis(300)),
                                HedgeBudget.of(
                                        HedgeBudgetConfig.builder()
                                                .minHedgesPerSecond(1)
                                                .build(),
                                        ticker),
                                scheduler),
                        secondary)
                .withTotalTimeout(Duration.ofSeconds(5), scheduler)
                .get();

        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(300);
        scheduler.advanceMillis(50);
        second.get(0).complete("b answered");

        assertThat(result).isCompletedWithValue("b answered");
        assertThat(first.get(0)).isCancelled();
        assertThat(events)
                .extracting(AttemptEvent::target, e -> e.outcome().type())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("b/m", Outcome.Type.SUCCESS),
                        org.assertj.core.groups.Tuple.tuple("a/m", Outcome.Type.CANCELLED));
    }

    @Test
    void shouldFailFastFromOpenBreakerAndFallBack() {
        ScriptedCall<String> provider = new ScriptedCall<>();
        Breaker breaker = Breaker.of("p/m", BreakerConfig.DEFAULT, ticker);
        breaker.unwrap().transitionToOpenState();
        DeadlineCall<String> call = Decorators.of((DeadlineCall<String>) provider)
                .withBreaker(breaker)
                .withRetry(Retry.of(RetryConfig.DEFAULT, Optional.empty(), new Random(1), scheduler))
                .withFallback(
                        cause -> cause instanceof CallNotPermittedException,
                        (cause, d) -> CompletableFuture.completedFuture("cached"))
                .get();

        assertThat(call.call(Deadline.never(ticker))).isCompletedWithValue("cached");
        assertThat(provider.count()).isZero();
    }

    @Test
    void shouldSucceedAfterOneRetryOfConnectionError() {
        int[] calls = {0};
        DeadlineCall<String> flaky = d -> ++calls[0] == 1
                ? CompletableFuture.failedFuture(new IOException("refused"))
                : CompletableFuture.completedFuture("ok");
        DeadlineCall<String> call = Decorators.of(flaky)
                .withRetry(Retry.of(RetryConfig.DEFAULT, Optional.empty(), new Random(3), scheduler))
                .get();
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        scheduler.advanceMillis(25);
        assertThat(result).isCompletedWithValue("ok");
    }
}
