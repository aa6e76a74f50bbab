package org.a6suite.resilience;

import java.util.concurrent.CompletionStage;

/**
 * An asynchronous call that is told its deadline, the one abstraction every decorator in this package wraps.
 *
 * <p>Implementations should stop work when the returned stage is cancelled
 * ({@code toCompletableFuture().cancel(true)}) and should not start work the deadline leaves no time for. A decorator
 * hands its inner call a deadline no later than its own.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface DeadlineCall<T> {

    /** Starts the call; the stage must support {@link CompletionStage#toCompletableFuture()}. */
    CompletionStage<T> call(Deadline deadline);
}
