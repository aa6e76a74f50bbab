package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.a6suite.resilience.Scheduler;

/**
 * Timers of lane requests (attempt deadline, retry back-off, hedge delay) on the runner's event loop that serves
 * the request, when the task is scheduled from one: the deadline then completes the plugin's stage on the lane's own
 * thread, with no hand-off from a timer thread to the lane (on a loaded machine each hand-off waits for a core).
 * From any other thread, or when the runner offers no loops, the fallback scheduler (the shared timer) is used.
 */
final class LoopScheduler implements Scheduler {

    private final Supplier<Optional<ScheduledExecutorService>> currentLoop;
    private final Scheduler fallback;

    LoopScheduler(Supplier<Optional<ScheduledExecutorService>> currentLoop, Scheduler fallback) {
        this.currentLoop = requireNonNull(currentLoop, "currentLoop");
        this.fallback = requireNonNull(fallback, "fallback");
    }

    @Override
    public Task schedule(Runnable task, Duration delay) {
        requireNonNull(task, "task");
        requireNonNull(delay, "delay");
        Optional<ScheduledExecutorService> loop = currentLoop.get();
        if (loop.isPresent()) {
            long nanos = delay.isNegative() ? 0 : saturatedNanos(delay);
            try {
                ScheduledFuture<?> future = loop.get().schedule(task, nanos, TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            } catch (RejectedExecutionException e) {
                // The runner is shutting its loops down: the shared timer still runs.
            }
        }
        return fallback.schedule(task, delay);
    }

    private static long saturatedNanos(Duration delay) {
        try {
            return delay.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
