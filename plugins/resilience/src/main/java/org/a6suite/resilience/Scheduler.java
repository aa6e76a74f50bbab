package org.a6suite.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.a6suite.resilience.internal.ExecutorScheduler;
import org.a6suite.resilience.internal.LoopScheduler;

/**
 * Runs a task after a delay; the toolkit's only source of timers, so tests can use a manual one
 * ({@code org.a6suite.resilience.testing.ManualScheduler}).
 *
 * <p>Tasks run on the scheduler's thread and must be short: the toolkit's tasks only complete futures or start the
 * next attempt's asynchronous call.
 */
@FunctionalInterface
public interface Scheduler {

    /** A scheduled task that can still be cancelled. */
    @FunctionalInterface
    interface Task {
        /** Cancels the task if it has not run yet; returns whether this call cancelled it. */
        boolean cancel();
    }

    /** Runs {@code task} once after {@code delay} (zero or negative: as soon as possible). */
    Task schedule(Runnable task, Duration delay);

    /** Returns a scheduler over {@code executor}; the caller owns the executor and shuts it down. */
    static Scheduler of(ScheduledExecutorService executor) {
        return new ExecutorScheduler(executor);
    }

    /**
     * Returns a process-wide scheduler on one daemon thread ({@code a6-resilience-timer}), created on first use.
     * One thread is enough because tasks only complete futures.
     */
    static Scheduler shared() {
        return ExecutorScheduler.shared();
    }

    /**
     * Returns a scheduler that runs each task on the event loop the scheduling thread runs ({@code currentLoop}: the
     * loop when the caller is on one, else empty; the runner offers it as {@code PluginEnvironment.ioLoops()}), and
     * on {@code fallback} from any other thread or when that loop refuses the task (shutting down). A call whose
     * outbound I/O runs on the same loop then sets, cancels and fires its timers without waking another thread.
     */
    static Scheduler preferringCurrentLoop(
            Supplier<Optional<ScheduledExecutorService>> currentLoop, Scheduler fallback) {
        return new LoopScheduler(currentLoop, fallback);
    }
}
