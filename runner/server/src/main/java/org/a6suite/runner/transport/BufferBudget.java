package org.a6suite.runner.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes reserved by incomplete frames across all connections of one runner (the gauge
 * {@code a6_runner_buffered_bytes}). Connections on different event loops share it, so it is one atomic counter.
 */
public final class BufferBudget {

    private final long max;
    private final AtomicLong reserved = new AtomicLong();

    /** @param max the global budget for frames above the per-connection allowance, bytes */
    public BufferBudget(long max) {
        if (max < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 0)");
        }
        this.max = max;
    }

    /** Reserves {@code bytes} whatever the total: frames within the per-connection allowance are always admitted. */
    void reserve(long bytes) {
        reserved.addAndGet(bytes);
    }

    /** Reserves {@code bytes} only if the total stays within the budget; false (nothing reserved) otherwise. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (now + bytes > max) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    /** Bytes reserved right now. */
    public long reserved() {
        return reserved.get();
    }

    public long max() {
        return max;
    }
}
