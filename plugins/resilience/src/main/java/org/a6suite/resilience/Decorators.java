package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Composes the decorators around one {@link DeadlineCall}, in the order the methods are called: each {@code with..}
 * wraps everything before it (as Resilience4j's {@code Decorators}). The recommended order, inside out:
 *
 * <pre>
 * Decorators.of(callProvider)
 *     .withClassifier(classifier)                       // first: the later pieces use it
 *     .withAdaptiveTimeout(adaptive, key, scheduler)    // per-attempt deadline + latency recording
 *     .withAttemptListener(key, listener)               // accounting: sees each attempt, timeouts included
 *     .withBreaker(breakers.breaker(key))               // counts each attempt; rejects fast while open
 *     .withRetry(retry)                                 // backoff, Retry-After, budget
 *     .withTotalTimeout(Duration.ofSeconds(55), scheduler)
 *     .withFallback(cause -> true, fallbackFunction)    // last: sees the final failure
 *     .get();
 * </pre>
 *
 * A builder is not thread-safe; the {@link DeadlineCall} it returns is, if its parts are.
 *
 * @param <T> the result type
 */
public final class Decorators<T> {

    private DeadlineCall<T> call;
    private OutcomeClassifier<? super T> classifier = OutcomeClassifier.ofDefaults();
    private Ticker ticker = Ticker.systemTicker();

    private Decorators(DeadlineCall<T> call) {
        this.call = call;
    }

    /** Starts from {@code call}, with {@link OutcomeClassifier#ofDefaults()} and the system ticker. */
    public static <T> Decorators<T> of(DeadlineCall<T> call) {
        return new Decorators<>(requireNonNull(call, "call"));
    }

    /** Sets the classifier the following decorators use. */
    public Decorators<T> withClassifier(OutcomeClassifier<? super T> classifier) {
        this.classifier = requireNonNull(classifier, "classifier");
        return this;
    }

    /** Sets the ticker the following recording decorators measure durations on. */
    public Decorators<T> withTicker(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
        return this;
    }

    /** Bounds each invocation so far by {@code timeout}. */
    public Decorators<T> withAttemptTimeout(Duration timeout, Scheduler scheduler) {
        call = Deadlines.withAttemptTimeout(call, timeout, scheduler);
        return this;
    }

    /**
     * Bounds each invocation by {@code adaptive.timeout(key)} and records its latency into {@code key}'s window.
     */
    public Decorators<T> withAdaptiveTimeout(AdaptiveTimeout adaptive, String key, Scheduler scheduler) {
        requireNonNull(adaptive, "adaptive");
        call = Attempts.recorded(
                Deadlines.withAttemptTimeout(call, adaptive.timeoutFor(key), scheduler),
                key,
                classifier,
                ticker,
                adaptive.recorder(key));
        return this;
    }

    /** Reports each invocation so far to {@code listener} as an attempt on {@code target}. */
    public Decorators<T> withAttemptListener(String target, AttemptListener listener) {
        call = Attempts.recorded(call, target, classifier, ticker, listener);
        return this;
    }

    /** Guards each invocation so far by {@code breaker}. */
    public Decorators<T> withBreaker(Breaker breaker) {
        call = requireNonNull(breaker, "breaker").decorate(call, classifier);
        return this;
    }

    /** Retries the call so far. */
    public Decorators<T> withRetry(Retry retry) {
        call = requireNonNull(retry, "retry").decorate(call, classifier);
        return this;
    }

    /** Hedges the call so far with {@code secondary} (decorate it separately, e.g. for another target). */
    public Decorators<T> withHedge(Hedge hedge, DeadlineCall<T> secondary) {
        call = requireNonNull(hedge, "hedge").decorate(call, secondary, classifier);
        return this;
    }

    /** Bounds the whole call so far by {@code timeout}. */
    public Decorators<T> withTotalTimeout(Duration timeout, Scheduler scheduler) {
        call = Deadlines.withTotalTimeout(call, timeout, scheduler);
        return this;
    }

    /** Falls back when the call so far fails with a cause {@code when} accepts. */
    public Decorators<T> withFallback(Predicate<? super Throwable> when, FallbackFunction<T> fallback) {
        call = Fallback.decorate(call, classifier, when, fallback);
        return this;
    }

    /** The composed call. */
    public DeadlineCall<T> get() {
        return call;
    }
}
