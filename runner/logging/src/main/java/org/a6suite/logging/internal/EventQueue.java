package org.a6suite.logging.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded, lock-free multi-producer queue with one consumer, which tells the producer when its offer should wake the
 * consumer: only the offer that takes the queue from empty to non-empty (at most one wake-up per batch, none while the
 * consumer is idle or already busy), and the one that fills the queue to half of its capacity (so a burst is written
 * before it fills the queue instead of waiting for the batch delay).
 *
 * <p>{@code count} is the source of truth for "non-empty": a producer increments it before it links its element, so the
 * consumer may see a count above the linked elements for an instant, never below. The consumer therefore parks only
 * when {@code count} is 0, and every producer that then takes it from 0 wakes it; no offer is ever left unseen.
 */
public final class EventQueue<E> {

    /** What an offer did. */
    public enum Offer {
        /** Queued; the consumer must be woken. */
        WAKE,
        /** Queued; the consumer is already awake or will be. */
        QUEUED,
        /** The queue was full: dropped and counted. */
        DROPPED
    }

    private final ConcurrentLinkedQueue<E> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final int capacity;
    private final int wakeEarly;

    /** @param capacity the most elements queued at once, at least 1 */
    public EventQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.capacity = capacity;
        this.wakeEarly = Math.max(1, capacity / 2);
    }

    /** Queues {@code element} unless the queue is full; never blocks. */
    public Offer offer(E element) {
        int before = count.getAndIncrement();
        if (before >= capacity) {
            count.decrementAndGet();
            dropped.incrementAndGet();
            return Offer.DROPPED;
        }
        queue.offer(element);
        return before == 0 || before + 1 == wakeEarly ? Offer.WAKE : Offer.QUEUED;
    }

    /** The next element, or null when none is linked yet (consumer only). */
    public E poll() {
        E element = queue.poll();
        if (element != null) {
            count.decrementAndGet();
        }
        return element;
    }

    /** Elements queued (including ones whose producer is still linking them). */
    public int size() {
        return count.get();
    }

    /** True once half of the capacity is queued: the consumer should not wait for more. */
    public boolean halfFull() {
        return count.get() >= wakeEarly;
    }

    /** The number of elements dropped since the last call, reset to 0 (consumer only). */
    public long takeDropped() {
        return dropped.getAndSet(0);
    }
}
