package org.a6suite.logging;

import ch.qos.logback.core.hook.ShutdownHookBase;
import ch.qos.logback.core.util.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A logback shutdown hook ({@code <shutdownHook class="org.a6suite.logging.AfterThreadShutdownHook"/>}) that stops
 * logback, and so lets {@link BatchingLineAppender} write what it queued, only after the runner's own shutdown hook
 * (thread {@code a6-shutdown}) has ended.
 *
 * <p>Why not logback's {@code DefaultShutdownHook}: the JVM runs shutdown hooks concurrently, so on SIGTERM logback
 * would stop while the runner is still closing gracefully, and every line logged during that close (the call logs of
 * the calls still in flight, the runner's own shutdown lines) would be lost. A fixed {@code delay} would instead slow
 * every exit by that delay, even when the close takes a millisecond; APISIX waits for the runner at most one second.
 *
 * <p>Properties: {@code thread}, the name of the thread to wait for (default {@code a6-shutdown}); {@code maxWait}, the
 * longest wait for it (default 900 milliseconds, below APISIX's one second before SIGKILL: the runner's close is
 * bounded at 800 ms). When no thread of that name is running within {@link #LOOK_FOR} (a failed start-up, {@code
 * check-conf}), logback stops at once.
 */
public final class AfterThreadShutdownHook extends ShutdownHookBase {

    public static final String DEFAULT_THREAD = "a6-shutdown";
    public static final Duration DEFAULT_MAX_WAIT = Duration.buildByMilliseconds(900);

    /**
     * How long to look for the thread: the JVM starts all shutdown hooks one after another before it waits for any,
     * so the runner's may start an instant after this one.
     */
    static final long LOOK_FOR = TimeUnit.MILLISECONDS.toNanos(50);

    private String thread = DEFAULT_THREAD;
    private Duration maxWait = DEFAULT_MAX_WAIT;

    @Override
    public void run() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWait.getMilliseconds());
        try {
            Optional<Thread> running = find(System.nanoTime() + Math.min(LOOK_FOR, deadline - System.nanoTime()));
            if (running.isPresent()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    running.get().join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
    }

    private Optional<Thread> find(long until) {
        while (true) {
            Optional<Thread> found = Thread.getAllStackTraces().keySet().stream()
                    .filter(candidate -> candidate.getName().equals(thread) && candidate.isAlive())
                    .findFirst();
            if (found.isPresent() || System.nanoTime() - until >= 0) {
                return found;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    public String getThread() {
        return thread;
    }

    /** The name of the shutdown thread to wait for; default {@code a6-shutdown} (the runner's). */
    public void setThread(String thread) {
        this.thread = thread;
    }

    public Duration getMaxWait() {
        return maxWait;
    }

    /** The longest wait for that thread before logback stops; default 900 milliseconds. */
    public void setMaxWait(Duration maxWait) {
        this.maxWait = maxWait;
    }
}
