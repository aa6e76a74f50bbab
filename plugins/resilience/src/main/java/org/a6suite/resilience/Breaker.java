package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.a6suite.resilience.internal.Stages;
import org.a6suite.resilience.internal.TickerClock;

/**
 * A circuit breaker decorator over Resilience4j's {@link CircuitBreaker} (failure-rate and slow-call-rate windows,
 * half-open probes), on the toolkit's ticker.
 *
 * <p>Resilience4j reads time through a {@link java.time.Clock} (open-state wait, time windows) and a timestamp
 * function; both are mapped onto our {@link Ticker}, and durations are measured on it, so a manual ticker drives the
 * whole state machine. Automatic open-to-half-open transition is off (it needs a real timer thread): the breaker
 * moves to half-open on the first call after the wait, which is what a caller can observe anyway.
 *
 * <p>Outcomes come from the {@link OutcomeClassifier}: failures count as errors, {@link Outcome.Type#IGNORED} and
 * cancelled attempts release their permission without counting. A rejected call fails at once with
 * {@link CallNotPermittedException}.
 */
public final class Breaker {

    private final String name;
    private final BreakerConfig config;
    private final Ticker ticker;
    private final CircuitBreaker delegate;

    private Breaker(String name, BreakerConfig config, Ticker ticker) {
        this.name = requireNonNull(name, "name");
        this.config = requireNonNull(config, "config");
        this.ticker = requireNonNull(ticker, "ticker");
        this.delegate = CircuitBreaker.of(name, toResilience4j(config, ticker));
    }

    public static Breaker of(String name, BreakerConfig config, Ticker ticker) {
        return new Breaker(name, config, ticker);
    }

    static CircuitBreakerConfig toResilience4j(BreakerConfig config, Ticker ticker) {
        return CircuitBreakerConfig.custom()
                .slidingWindow(
                        config.windowSize(),
                        config.minimumCalls(),
                        config.windowType() == BreakerConfig.WindowType.COUNT
                                ? CircuitBreakerConfig.SlidingWindowType.COUNT_BASED
                                : CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .failureRateThreshold(config.failureRateThreshold())
                .slowCallRateThreshold(config.slowCallRateThreshold())
                .slowCallDurationThreshold(config.slowCallDuration())
                .waitDurationInOpenState(config.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(config.permittedCallsInHalfOpen())
                .maxWaitDurationInHalfOpenState(config.maxWaitInHalfOpen())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(new TickerClock(ticker))
                .currentTimestampFunction(clock -> ticker.nanoTime(), TimeUnit.NANOSECONDS)
                .build();
    }

    public String name() {
        return name;
    }

    public BreakerConfig config() {
        return config;
    }

    public BreakerState state() {
        return BreakerState.of(delegate.getState());
    }

    /** The Resilience4j breaker underneath: for its metrics and event publisher, and for forced transitions. */
    public CircuitBreaker unwrap() {
        return delegate;
    }

    /**
     * Asks for a permission outside {@link #decorate}; every granted permission must be followed by exactly one
     * {@link #record(Outcome, Duration, Throwable)}.
     */
    public boolean tryAcquirePermission() {
        return delegate.tryAcquirePermission();
    }

    /** Records an attempt that had a permission (see {@link #tryAcquirePermission()}). */
    public void record(Outcome outcome, Duration duration, Throwable error) {
        requireNonNull(outcome, "outcome");
        long nanos = Math.max(0, Stages.saturatedNanos(requireNonNull(duration, "duration")));
        switch (outcome.type()) {
            case SUCCESS -> delegate.onSuccess(nanos, TimeUnit.NANOSECONDS);
            case FAILURE, RETRYABLE_FAILURE ->
                delegate.onError(
                        nanos, TimeUnit.NANOSECONDS, error != null ? error : new FailedResultException(null, outcome));
            case IGNORED, CANCELLED -> delegate.releasePermission();
        }
    }

    /** Wraps {@code call}: rejected at once while open, outcomes recorded with durations on the ticker. */
    public <T> DeadlineCall<T> decorate(DeadlineCall<T> call, OutcomeClassifier<? super T> classifier) {
        requireNonNull(call, "call");
        requireNonNull(classifier, "classifier");
        return deadline -> {
            if (!delegate.tryAcquirePermission()) {
                return CompletableFuture.failedFuture(new CallNotPermittedException(name, state()));
            }
            long start = ticker.nanoTime();
            CompletableFuture<T> attempt = Stages.invoke(call, deadline);
            attempt.whenComplete((value, error) -> {
                Throwable cause = error == null ? null : Stages.unwrap(error);
                Outcome outcome = classifier.classifySafely(value, cause);
                Throwable recorded =
                        cause != null ? cause : outcome.isFailure() ? new FailedResultException(value, outcome) : null;
                record(outcome, Duration.ofNanos(Math.max(0, ticker.nanoTime() - start)), recorded);
            });
            return attempt;
        };
    }
}
