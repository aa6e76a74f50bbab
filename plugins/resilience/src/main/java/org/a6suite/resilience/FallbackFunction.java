package org.a6suite.resilience;

import java.util.concurrent.CompletionStage;

/**
 * Produces a substitute answer after a failure: another provider, a cached last-good response, a static answer.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface FallbackFunction<T> {

    /**
     * @param cause why the call failed (unwrapped; a {@link FailedResultException} when the failure was a result)
     * @param deadline the caller's deadline, so a fallback call to another provider stays within it
     */
    CompletionStage<T> apply(Throwable cause, Deadline deadline);
}
