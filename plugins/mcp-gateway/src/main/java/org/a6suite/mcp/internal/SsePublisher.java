package org.a6suite.mcp.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.plugin.Body;

/**
 * One SSE connection to the client as a lane body: the encoded events pushed into it, delivered as fast as the lane
 * asks. The queue is bounded: a client that stops reading while {@code maxQueued} events pile up has its connection
 * failed (the lane closes it without the final chunk) and may resume from the session's event log with
 * {@code Last-Event-ID}. Signals go out through a drain loop, one thread at a time (Reactive Streams rule 1.3).
 */
final class SsePublisher implements Flow.Publisher<Body>, Flow.Subscription {

    private final int maxQueued;
    private final Runnable onCancel;
    private final ConcurrentLinkedQueue<Body> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private volatile Flow.Subscriber<? super Body> subscriber;
    private volatile boolean completing;
    private volatile boolean overflowed;
    private volatile boolean done;

    /** @param onCancel runs once when the client goes away (the subscription is cancelled) */
    SsePublisher(int maxQueued, Runnable onCancel) {
        this.maxQueued = maxQueued;
        this.onCancel = onCancel;
    }

    /** Queues one encoded event; false when the connection is finished or has just overflowed. */
    boolean push(Body event) {
        if (done || completing || overflowed) {
            return false;
        }
        if (queued.incrementAndGet() > maxQueued) {
            overflowed = true;
            drain();
            return false;
        }
        queue.add(event);
        drain();
        return true;
    }

    /** Ends the response after what is queued. */
    void complete() {
        completing = true;
        drain();
    }

    boolean isOpen() {
        return !done && !completing && !overflowed;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Body> s) {
        if (!subscribed.compareAndSet(false, true)) {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            s.onError(new IllegalStateException("an SSE connection has one subscriber"));
            return;
        }
        subscriber = s;
        s.onSubscribe(this);
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            done = true;
            Flow.Subscriber<? super Body> s = subscriber;
            if (s != null) {
                s.onError(new IllegalArgumentException("request(" + n + ") (expected: n > 0, rule 3.9)"));
            }
            return;
        }
        demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        drain();
    }

    @Override
    public void cancel() {
        if (!done) {
            done = true;
            queue.clear();
            onCancel.run();
        }
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        while (true) {
            Flow.Subscriber<? super Body> s = subscriber;
            if (s != null) {
                while (!done && demand.get() > 0) {
                    Body next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    queued.decrementAndGet();
                    demand.decrementAndGet();
                    s.onNext(next);
                }
                if (!done && overflowed) {
                    done = true;
                    queue.clear();
                    s.onError(new IllegalStateException(
                            "the client did not read its SSE stream; resume with " + "Last-Event-ID"));
                    onCancel.run();
                } else if (!done && completing && queue.isEmpty()) {
                    done = true;
                    s.onComplete();
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
