package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A streamed lane body ({@link LaneResponse#streamed}) that a plugin pushes bodies into and the lane reads at its own
 * pace: one subscriber, demand-driven, bounded.
 *
 * <ul>
 *   <li><b>One subscriber.</b> A second one is refused with {@code onError(IllegalStateException)} after a no-op
 *       {@code onSubscribe} (rule 1.9 for null: {@link NullPointerException}).
 *   <li><b>Demand.</b> Bodies {@linkplain #offer offered} are queued and delivered as {@code request(n)} allows;
 *       {@link Source#onDemand} tells the producer that the queue is empty while the subscriber waits (a producer that
 *       reads from a provider pulls its next part there, so nothing is read ahead of the client).
 *       {@code request(n)} with {@code n <= 0} fails the subscription with {@link IllegalArgumentException} (rule
 *       3.9) and cancels it.
 *   <li><b>Bound.</b> More than {@code maxQueued} undelivered bodies fail the subscription at once (queue discarded)
 *       with an {@link OverflowException}: a subscriber that stops reading never grows the heap.
 *   <li><b>Ends.</b> {@link #complete()} and {@link #fail(Throwable)} end the body after what is queued;
 *       {@link #cancel()} (the producer gives up: the subscriber gets a {@link CancellationException}) and the
 *       subscriber's {@code cancel()} discard the queue.
 * </ul>
 *
 * {@link Source#onCancel} runs once when the body ends without being read to its end (cancelled by either side, an
 * overflow, a rule 3.9 violation). Signals go out through one drain loop, one thread at a time (rule 1.3); producer
 * methods are thread-safe and never block.
 */
public final class BodyPublisher implements Flow.Publisher<Body> {

    /** The producer's side: what the publisher tells it. Called from the drain loop, one call at a time. */
    public interface Source {

        /**
         * The queue is empty, the subscriber has demand and the body has not ended: produce more. Called on every
         * drain pass while this holds, so a producer with a read in flight must ignore the repeats.
         */
        default void onDemand() {}

        /** The body ended before its end was read: cancelled, overflowed, or failed by rule 3.9. Runs once. */
        default void onCancel() {}
    }

    /** The subscriber did not read while {@code maxQueued} bodies waited. */
    public static final class OverflowException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public OverflowException(String message) {
            super(message);
        }
    }

    private static final Source NO_SOURCE = new Source() {};

    private final int maxQueued;
    private final String overflowMessage;
    private final Source source;
    private final ConcurrentLinkedQueue<Body> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger highWater = new AtomicInteger();
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final AtomicBoolean cancelOnce = new AtomicBoolean();
    private volatile Flow.Subscriber<? super Body> subscriber;
    /** No more offers: complete or fail was called (the end is delivered after the queue). */
    private volatile boolean ending;

    private volatile Throwable endError;
    /** Discard the queue and signal {@link #abortError} (or nothing, when cancelled) at once. */
    private volatile boolean aborted;

    private volatile Throwable abortError;
    /** A terminal signal went out, or the subscriber cancelled: nothing more is signalled. */
    private volatile boolean done;

    private BodyPublisher(int maxQueued, String overflowMessage, Source source) {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: >= 1)");
        }
        this.maxQueued = maxQueued;
        this.overflowMessage = requireNonNull(overflowMessage, "overflowMessage");
        this.source = requireNonNull(source, "source");
    }

    /**
     * A publisher holding at most {@code maxQueued} undelivered bodies.
     *
     * @param overflowMessage the message of the {@link OverflowException} a subscriber that stopped reading gets
     * @throws IllegalArgumentException when {@code maxQueued < 1}
     */
    public static BodyPublisher bounded(int maxQueued, String overflowMessage, Source source) {
        return new BodyPublisher(maxQueued, overflowMessage, source);
    }

    /** As {@link #bounded(int, String, Source)} for a producer that needs no callbacks. */
    public static BodyPublisher bounded(int maxQueued, String overflowMessage) {
        return new BodyPublisher(maxQueued, overflowMessage, NO_SOURCE);
    }

    /**
     * Queues {@code body} for the subscriber (also before it subscribes).
     *
     * @return false when the body has ended (it is dropped), or when this body overflowed the bound (the
     *     subscription fails with an {@link OverflowException})
     */
    public boolean offer(Body body) {
        requireNonNull(body, "body");
        if (!isOpen()) {
            return false;
        }
        int size = queued.incrementAndGet();
        if (size > maxQueued) {
            queued.decrementAndGet();
            abort(new OverflowException(overflowMessage));
            return false;
        }
        highWater.accumulateAndGet(size, Math::max);
        queue.add(body);
        drain();
        return true;
    }

    /** Ends the body normally after what is queued. Later offers are dropped. */
    public void complete() {
        ending = true;
        drain();
    }

    /** Ends the body with {@code error} after what is queued (the lane then ends the response without its final chunk). */
    public void fail(Throwable error) {
        requireNonNull(error, "error");
        if (!ending) {
            endError = error;
            ending = true;
        }
        drain();
    }

    /**
     * The producer gives up: the queue is discarded, the subscriber (now or when it arrives) gets a
     * {@link CancellationException}, and {@link Source#onCancel} runs.
     */
    public void cancel() {
        abort(new CancellationException("the producer cancelled this body"));
    }

    /**
     * The producer can produce again (a read it started gave nothing to relay): {@link Source#onDemand} is called
     * again if the queue is empty and the subscriber waits.
     */
    public void ready() {
        drain();
    }

    /** Whether offers are still taken: the body has not ended, been cancelled or overflowed. */
    public boolean isOpen() {
        return !ending && !aborted && !done;
    }

    /** The most bodies ever queued at once. */
    public int highWaterMark() {
        return highWater.get();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Body> s) {
        requireNonNull(s, "subscriber"); // rule 1.9
        if (!subscribed.compareAndSet(false, true)) {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            s.onError(new IllegalStateException("this body has one subscriber; it is taken"));
            return;
        }
        s.onSubscribe(new Subscription());
        subscriber = s;
        drain();
    }

    private void abort(Throwable error) {
        if (abortError == null) {
            abortError = error;
        }
        aborted = true;
        runOnCancel();
        drain();
    }

    private void runOnCancel() {
        if (cancelOnce.compareAndSet(false, true)) {
            source.onCancel();
        }
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            if (aborted) {
                queue.clear();
            }
            Flow.Subscriber<? super Body> s = subscriber;
            if (s != null && !done) {
                if (aborted) {
                    done = true;
                    s.onError(abortError);
                } else {
                    while (!aborted && demand.get() > 0) {
                        Body next = queue.poll();
                        if (next == null) {
                            break;
                        }
                        queued.decrementAndGet();
                        demand.decrementAndGet();
                        s.onNext(next);
                    }
                    if (!aborted && queue.isEmpty()) {
                        if (ending) {
                            done = true;
                            Throwable error = endError;
                            if (error != null) {
                                s.onError(error);
                            } else {
                                s.onComplete();
                            }
                        } else if (demand.get() > 0) {
                            source.onDemand();
                        }
                    }
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    private final class Subscription implements Flow.Subscription {
        @Override
        public void request(long n) {
            if (n <= 0) {
                abort(new IllegalArgumentException("request: " + n + " (expected: > 0, rule 3.9)"));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            drain();
        }

        @Override
        public void cancel() {
            done = true; // rule 3.5/3.7: no more signals, repeated cancels are no-ops
            aborted = true;
            runOnCancel();
            drain();
        }
    }
}
