package org.a6suite.resilience.internal;

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
 * Timers (attempt deadline, retry back-off, hedge delay) on the event loop that schedules them, when the caller runs
 * on one: the call's outbound I/O runs on that loop too, so the timer is set, cancelled and (rarely) fired on one
 * thread. A separate timer thread costs a wake-up per call instead: scheduling a task at the head of its queue signals
 * it, and on a loaded machine each hand-off waits for a core. From any other thread, or when the loop is shutting
 * down, the fallback scheduler is used. See {@link Scheduler#preferringCurrentLoop}.
 */
public final class LoopScheduler implements Scheduler {

    private final Supplier<Optional<ScheduledExecutorService>> currentLoop;
    private final Scheduler fallback;

    public LoopScheduler(Supplier<Optional<ScheduledExecutorService>> currentLoop, Scheduler fallback) {
        this.currentLoop = requireNonNull(currentLoop, "currentLoop");
        this.fallback = requireNonNull(fallback, "fallback");
    }

    @Override
    public Task schedule(Runnable task, Duration delay) {
        requireNonNull(task, "task");
        requireNonNull(delay, "delay");
        Optional<ScheduledExecutorService> loop = currentLoop.get();
        if (loop.isPresent()) {
            long nanos = Math.max(0, Stages.saturatedNanos(delay));
            try {
                ScheduledFuture<?> future = loop.get().schedule(task, nanos, TimeUnit.NANOSECONDS);
                return () -> future.cancel(false);
            } catch (RejectedExecutionException e) {
                // The loop is shutting down: the fallback still runs.
            }
        }
        return fallback.schedule(task, delay);
    }
}
