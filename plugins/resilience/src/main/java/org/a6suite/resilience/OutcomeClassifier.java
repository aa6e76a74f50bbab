package org.a6suite.resilience;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import org.a6suite.resilience.internal.Stages;

/**
 * Says how an attempt ended: the caller's knowledge of which results and exceptions are retryable, failures, or
 * neither. Exactly one of {@code result} and {@code error} is meaningful: {@code error} is non-null for exceptional
 * completion (already unwrapped from {@code CompletionException}).
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface OutcomeClassifier<T> {

    /** Classifies one completion; must not throw and must be cheap. */
    Outcome classify(T result, Throwable error);

    /**
     * The default: every result is a success; {@link CancellationException} is cancelled;
     * {@link CallNotPermittedException} and a {@link DeadlineExceededException.Scope#TOTAL total} deadline are
     * (non-retryable) failures; {@link RetryAfterAware} exceptions are retryable after their delay; attempt deadlines,
     * {@link TimeoutException} and {@link IOException} (connection errors) are retryable; anything else is a
     * failure.
     */
    static <T> OutcomeClassifier<T> ofDefaults() {
        return (result, error) -> {
            if (error == null) {
                return Outcome.success();
            }
            Throwable cause = Stages.unwrap(error);
            if (cause instanceof CancellationException) {
                return Outcome.cancelled();
            }
            if (cause instanceof CallNotPermittedException) {
                return Outcome.failure();
            }
            if (cause instanceof DeadlineExceededException exceeded) {
                return exceeded.scope() == DeadlineExceededException.Scope.ATTEMPT
                        ? Outcome.retryable()
                        : Outcome.failure();
            }
            if (cause instanceof RetryAfterAware aware) {
                return aware.retryAfter().map(Outcome::retryableAfter).orElseGet(Outcome::retryable);
            }
            if (cause instanceof TimeoutException || cause instanceof IOException) {
                return Outcome.retryable();
            }
            return Outcome.failure();
        };
    }

    /**
     * Classifies with this classifier but maps any {@link CancellationException} to {@link Outcome#cancelled()}
     * first, so a custom classifier need not know about cancellation.
     */
    default Outcome classifySafely(T result, Throwable error) {
        Throwable cause = error == null ? null : Stages.unwrap(error);
        if (cause instanceof CancellationException) {
            return Outcome.cancelled();
        }
        Outcome outcome = classify(result, cause);
        return outcome == null ? Outcome.failure() : outcome;
    }
}
