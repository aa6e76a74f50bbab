package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.a6suite.resilience.internal.Stages;

/**
 * The fallback decorator: when the call fails (by the classifier) and {@code when} accepts the cause, the result is
 * the fallback function's. Cancellation is never a reason to fall back. If the fallback itself fails, its failure
 * carries the original cause as a suppressed exception.
 */
public final class Fallback {

    private Fallback() {}

    /**
     * @param when which causes to fall back on ({@code cause -> true} for all failures)
     */
    public static <T> DeadlineCall<T> decorate(
            DeadlineCall<T> call,
            OutcomeClassifier<? super T> classifier,
            Predicate<? super Throwable> when,
            FallbackFunction<T> fallback) {
        requireNonNull(call, "call");
        requireNonNull(classifier, "classifier");
        requireNonNull(when, "when");
        requireNonNull(fallback, "fallback");
        return deadline -> {
            CompletableFuture<T> result = new CompletableFuture<>();
            CompletableFuture<T> inner = Stages.invoke(call, deadline);
            Stages.propagateCancellation(result, inner);
            inner.whenComplete((value, error) -> {
                Throwable cause = error == null ? null : Stages.unwrap(error);
                Outcome outcome = classifier.classifySafely(value, cause);
                if (!outcome.isFailure()) {
                    Stages.complete(result, value, cause);
                    return;
                }
                Throwable reason = cause != null ? cause : new FailedResultException(value, outcome);
                if (!when.test(reason) || result.isDone()) {
                    Stages.complete(result, value, cause);
                    return;
                }
                CompletableFuture<T> substitute = Stages.invoke(d -> fallback.apply(reason, d), deadline);
                Stages.propagateCancellation(result, substitute);
                substitute.whenComplete((fallbackValue, fallbackError) -> {
                    if (fallbackError != null) {
                        Throwable fallbackCause = Stages.unwrap(fallbackError);
                        if (fallbackCause != reason) {
                            fallbackCause.addSuppressed(reason);
                        }
                        result.completeExceptionally(fallbackCause);
                    } else {
                        result.complete(fallbackValue);
                    }
                });
            });
            return result;
        };
    }
}
