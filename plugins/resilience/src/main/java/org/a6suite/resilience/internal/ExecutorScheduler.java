package org.a6suite.resilience.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.a6suite.resilience.Scheduler;

/** {@link Scheduler} over a {@link ScheduledExecutorService}. */
public final class ExecutorScheduler implements Scheduler {

    private final ScheduledExecutorService executor;

    public ExecutorScheduler(ScheduledExecutorService executor) {
        this.executor = requireNonNull(executor, "executor");
    }

    @Override
    public Task schedule(Runnable task, Duration delay) {
        requireNonNull(task, "task");
        long nanos = Math.max(0, Stages.saturatedNanos(requireNonNull(delay, "delay")));
        ScheduledFuture<?> future = executor.schedule(task, nanos, TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    /** The lazily created process-wide scheduler. */
    public static Scheduler shared() {
        return SharedHolder.INSTANCE;
    }

    private static final class SharedHolder {
        static final Scheduler INSTANCE = create();

        private static Scheduler create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "a6-resilience-timer");
                thread.setDaemon(true);
                return thread;
            });
            // Cancelled timers (the common case: most calls finish before their deadline) must not pile up.
            executor.setRemoveOnCancelPolicy(true);
            return new ExecutorScheduler(Executors.unconfigurableScheduledExecutorService(executor));
        }
    }
}
