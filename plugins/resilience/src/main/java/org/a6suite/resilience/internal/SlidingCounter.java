package org.a6suite.resilience.internal;

import java.time.Duration;
import org.a6suite.resilience.Ticker;

/**
 * Counts events of a few kinds over a sliding time window, as a ring of fixed-length buckets.
 *
 * <p>Bucket {@code i} of the ring holds the counts for the time slot whose index ({@code nanoTime / bucketNanos})
 * is congruent to {@code i}; a slot found holding an older index is cleared before use, so the window is the current
 * bucket plus the {@code buckets - 1} before it. Guarded by the instance's monitor: every operation is a few array
 * reads, and a lock keeps "check then count" atomic for the budgets built on it.
 */
public final class SlidingCounter {

    private final Ticker ticker;
    private final long bucketNanos;
    private final long[] slotIndex;
    private final long[][] counts;
    private final int kinds;

    public SlidingCounter(Ticker ticker, Duration window, int buckets, int kinds) {
        this.ticker = ticker;
        this.bucketNanos = Math.max(1, window.toNanos() / buckets);
        this.slotIndex = new long[buckets];
        this.counts = new long[buckets][kinds];
        this.kinds = kinds;
        java.util.Arrays.fill(slotIndex, Long.MIN_VALUE);
    }

    /** Adds {@code amount} to counter {@code kind} in the current bucket. */
    public synchronized void add(int kind, long amount) {
        current()[kind] += amount;
    }

    /** Sum of counter {@code kind} over the window. */
    public synchronized long sum(int kind) {
        long now = Math.floorDiv(ticker.nanoTime(), bucketNanos);
        long total = 0;
        for (int i = 0; i < slotIndex.length; i++) {
            if (now - slotIndex[i] < slotIndex.length && now - slotIndex[i] >= 0) {
                total += counts[i][kind];
            }
        }
        return total;
    }

    /** The window's length actually covered by buckets, in seconds (for per-second floors). */
    public double windowSeconds() {
        return bucketNanos * (double) slotIndex.length / 1e9;
    }

    private long[] current() {
        long index = Math.floorDiv(ticker.nanoTime(), bucketNanos);
        int slot = (int) Math.floorMod(index, (long) slotIndex.length);
        if (slotIndex[slot] != index) {
            slotIndex[slot] = index;
            java.util.Arrays.fill(counts[slot], 0);
        }
        return counts[slot];
    }

    /**
     * Atomically: if {@code sum(kind) < limit} computed from the other counters, count one {@code kind} event.
     * {@code limit} receives the window sums of all kinds.
     */
    public synchronized boolean tryAdd(int kind, java.util.function.ToDoubleFunction<long[]> limit) {
        long[] sums = new long[kinds];
        for (int k = 0; k < kinds; k++) {
            sums[k] = sum(k);
        }
        if (sums[kind] + 1 > limit.applyAsDouble(sums)) {
            return false;
        }
        current()[kind]++;
        return true;
    }
}
