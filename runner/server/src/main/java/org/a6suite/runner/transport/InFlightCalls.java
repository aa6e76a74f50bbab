package org.a6suite.runner.transport;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts calls that have arrived and not yet been answered (A6 calls; lane exchanges in a counter of their own), so
 * shutdown can wait for them (bounded) before closing connections. Event loops only increment and decrement; only
 * the shutdown thread waits.
 *
 * <p>The count is an atomic, not guarded by the lock: every call begins and ends here on whichever event loop owns
 * its connection, and a lock shared by all loops cost two lock round trips per call (and a park when two loops met).
 * The lock is taken only when someone waits: {@link #end()} signals under it when the count reaches zero while a
 * waiter is registered, and the waiter checks the count under the same lock, so no signal is lost.
 */
public final class InFlightCalls {

    private final AtomicInteger count = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    /** Set (before the waiter reads the count) while a thread waits in {@link #awaitDrained}. */
    private volatile boolean waiting;

    public void begin() {
        count.incrementAndGet();
    }

    public void end() {
        if (count.decrementAndGet() == 0 && waiting) {
            lock.lock();
            try {
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    public int count() {
        return count.get();
    }

    /** Waits until no call is in flight or {@code timeout} passes; true if drained. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            waiting = true;
            while (count.get() > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = drained.awaitNanos(nanos);
            }
            return true;
        } finally {
            waiting = false;
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "InFlightCalls[" + count() + "]";
    }
}
