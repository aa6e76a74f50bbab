package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.a6suite.resilience.internal.Checks;
import org.a6suite.resilience.internal.Stages;

/**
 * Deadline decorators: a total deadline for the whole (retried, hedged) call and a per-attempt deadline.
 *
 * <p>On expiry the returned stage completes exceptionally with {@link DeadlineExceededException} and the inner
 * stage is cancelled with {@code toCompletableFuture().cancel(true)}. The inner call is handed the earlier of the
 * caller's deadline and this decorator's, so it can pass the remaining time on (e.g. as an HTTP client timeout).
 */
public final class Deadlines {

    private Deadlines() {}

    /** Bounds the whole call by {@code timeout} (and by the caller's deadline if that is earlier). */
    public static <T> DeadlineCall<T> withTotalTimeout(DeadlineCall<T> call, Duration timeout, Scheduler scheduler) {
        Checks.positive("timeout", timeout);
        return limited(call, () -> timeout, DeadlineExceededException.Scope.TOTAL, scheduler);
    }

    /** Bounds each invocation by a fixed {@code timeout}. */
    public static <T> DeadlineCall<T> withAttemptTimeout(DeadlineCall<T> call, Duration timeout, Scheduler scheduler) {
        Checks.positive("timeout", timeout);
        return limited(call, () -> timeout, DeadlineExceededException.Scope.ATTEMPT, scheduler);
    }

    /**
     * Bounds each invocation by a timeout computed when it starts, e.g. {@code () -> adaptive.timeout(key)}.
     */
    public static <T> DeadlineCall<T> withAttemptTimeout(
            DeadlineCall<T> call, Supplier<Duration> timeout, Scheduler scheduler) {
        requireNonNull(timeout, "timeout");
        return limited(call, timeout, DeadlineExceededException.Scope.ATTEMPT, scheduler);
    }

    private static <T> DeadlineCall<T> limited(
            DeadlineCall<T> call,
            Supplier<Duration> timeout,
            DeadlineExceededException.Scope scope,
            Scheduler scheduler) {
        requireNonNull(call, "call");
        requireNonNull(scheduler, "scheduler");
        return outer -> {
            Deadline own = Deadline.ofTimeout(outer.ticker(), requireNonNull(timeout.get(), "timeout.get()"));
            Deadline effective = outer.min(own);
            // When the caller's deadline binds, it is the caller's total deadline that expires, whatever we guard.
            DeadlineExceededException.Scope binding = effective == own ? scope : DeadlineExceededException.Scope.TOTAL;
            Duration allowed = effective.remaining();
            CompletableFuture<T> result = new CompletableFuture<>();
            if (effective.isExpired()) {
                result.completeExceptionally(new DeadlineExceededException(binding, allowed));
                return result;
            }
            CompletableFuture<T> inner = Stages.invoke(call, effective);
            if (inner.isDone()) {
                return inner;
            }
            Scheduler.Task timer = effective.isInfinite()
                    ? null
                    : scheduler.schedule(
                            () -> {
                                if (result.completeExceptionally(new DeadlineExceededException(binding, allowed))) {
                                    inner.cancel(true);
                                }
                            },
                            allowed);
            inner.whenComplete((value, error) -> {
                if (timer != null) {
                    timer.cancel();
                }
                Stages.complete(result, value, error);
            });
            Stages.propagateCancellation(result, inner);
            return result;
        };
    }
}
