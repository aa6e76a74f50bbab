package org.a6suite.plugin;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** The runner's shared services, handed to every plugin once at {@link Plugin#start}. */
public interface PluginEnvironment {

    /** Wall-clock time; tests substitute a fixed or manual clock. */
    Clock clock();

    /** A shared timer; tasks must be short and must not block. */
    ScheduledExecutorService scheduler();

    /** Where blocking work may run (never an I/O thread). */
    Executor blockingExecutor();

    /** An environment variable of the runner process (credentials are referenced by name in configs). */
    Optional<String> getenv(String name);

    /** Where outbound calls are recorded for the health reporter. */
    OutcomeRecorder outcomes();

    /** The runner's metrics, exposed in Prometheus text format. */
    PluginMetrics metrics();

    /** The health reporter's latest per-upstream view of this APISIX node; {@link HealthSnapshots#NONE} without one. */
    default HealthSnapshots health() {
        return HealthSnapshots.NONE;
    }

    /**
     * The runner's I/O event loops, which serve the A6 socket and the lane; empty when the host offers none (tests,
     * other hosts). A client that runs on them keeps a lane request's outbound call on the lane's own thread.
     */
    default Optional<IoLoops> ioLoops() {
        return Optional.empty();
    }

    /**
     * The runner's I/O loop the calling thread runs, when the runner offers loops ({@link #ioLoops()}) and the caller
     * is on one; else empty. Timers set here fire on the caller's thread (no hand-off to a timer thread).
     */
    default Optional<ScheduledExecutorService> currentLoop() {
        Optional<IoLoops> loops = ioLoops();
        return loops.isPresent() ? loops.get().current() : Optional.empty();
    }
}
