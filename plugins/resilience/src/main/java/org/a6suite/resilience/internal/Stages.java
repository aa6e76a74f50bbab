package org.a6suite.resilience.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.DeadlineCall;

/** Small helpers for futures shared by the decorators. */
public final class Stages {

    private Stages() {}

    /** Strips the wrappers {@link CompletableFuture} adds around a cause. */
    public static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * Invokes {@code call}, turning a synchronous throw or a null stage into a failed future, so decorators handle
     * one failure path.
     */
    public static <T> CompletableFuture<T> invoke(DeadlineCall<T> call, Deadline deadline) {
        try {
            CompletionStage<T> stage = call.call(deadline);
            if (stage == null) {
                return CompletableFuture.failedFuture(new NullPointerException("DeadlineCall returned a null stage"));
            }
            return stage.toCompletableFuture();
        } catch (Throwable error) {
            return CompletableFuture.failedFuture(error);
        }
    }

    /** Cancels {@code inner} when {@code outer} is cancelled, so cancellation reaches the work in flight. */
    public static void propagateCancellation(CompletableFuture<?> outer, CompletableFuture<?> inner) {
        outer.whenComplete((ignored, error) -> {
            if (outer.isCancelled()) {
                inner.cancel(true);
            }
        });
    }

    /** Completes {@code target} like a completion with {@code value} / {@code error} (error unwrapped). */
    public static <T> boolean complete(CompletableFuture<T> target, T value, Throwable error) {
        return error == null ? target.complete(value) : target.completeExceptionally(unwrap(error));
    }

    /** {@link Duration#toNanos()} saturating at {@link Long#MAX_VALUE} instead of throwing. */
    public static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
