package org.a6suite.runner.plugins;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The bounded pool for work that may block: {@code Execution.BLOCKING} plugins, PrepareConf parsing, and the
 * plugins' own {@code blockingExecutor()}. Its threads are virtual, so a plugin blocked in I/O or a sleep costs a
 * few hundred bytes rather than a platform thread; the bound on threads and on the queue keeps a flood of slow calls
 * from exhausting memory. A saturated pool rejects ({@code RejectedExecutionException}), which the runner answers
 * with Err SERVICE_UNAVAILABLE.
 */
public final class BlockingPool implements Executor, AutoCloseable {

    /** Tasks that may wait for a thread before new ones are rejected. */
    public static final int QUEUE_CAPACITY = 10_000;

    private final ThreadPoolExecutor executor;

    public BlockingPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        executor = new ThreadPoolExecutor(
                threads,
                threads,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUE_CAPACITY),
                Thread.ofVirtual().name("a6-blocking-", 0).factory(),
                new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** Stops taking work and waits up to {@code timeout} for running tasks. */
    public boolean shutdown(Duration timeout) throws InterruptedException {
        executor.shutdown();
        return executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
