package org.a6suite.http.internal;

import io.netty.util.concurrent.EventExecutor;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import org.a6suite.http.OutboundException;

/**
 * The response body as a single-subscriber {@link Flow.Publisher}. Its state is confined to the connection's event
 * loop: calls from other threads hop onto it. The exchange {@link #offer}s buffers as the decoder produces them; the
 * publisher asks the exchange to read from the socket only when the subscriber has unmet demand and nothing is
 * queued, so the queue never holds more than what one socket read brought.
 */
final class ResponseBodyPublisher implements Flow.Publisher<ByteBuffer> {

    /** What the publisher needs from the exchange feeding it. */
    interface Source {
        /** Read more from the socket (demand is waiting and nothing is queued). */
        void readMore();

        /** The subscriber went away before the end: close the connection. */
        void cancel();
    }

    private final EventExecutor loop;
    private final Source source;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private Flow.Subscriber<? super ByteBuffer> subscriber;
    private long demand;
    private boolean complete;
    private OutboundException error;
    private boolean terminated;
    private boolean draining;

    ResponseBodyPublisher(EventExecutor loop, Source source) {
        this.loop = loop;
        this.source = source;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        java.util.Objects.requireNonNull(s, "subscriber");
        onLoop(() -> {
            if (subscriber != null) {
                s.onSubscribe(NOOP);
                s.onError(new IllegalStateException("body: already subscribed (expected: one subscriber)"));
                return;
            }
            subscriber = s;
            s.onSubscribe(new Subscription());
            drain();
        });
    }

    /** A buffer from the socket; on the loop. */
    void offer(ByteBuffer buffer) {
        if (!terminated) {
            queue.add(buffer);
            drain();
        }
    }

    /** The last byte was read; on the loop. */
    void complete() {
        complete = true;
        drain();
    }

    /** The body cannot be read to its end; on the loop. Queued buffers are dropped: the body is unusable. */
    void fail(OutboundException e) {
        if (error == null && !complete) {
            error = e;
            queue.clear();
            drain();
        }
    }

    /** The caller gives up the body, subscribed or not. */
    void abort(OutboundException reason) {
        onLoop(() -> {
            if (!terminated && !(complete && queue.isEmpty())) {
                boolean finished = complete;
                fail(reason);
                if (!finished) {
                    source.cancel();
                }
            }
        });
    }

    private void drain() {
        if (draining) {
            return; // a signal from inside onNext; the outer loop picks up its effect
        }
        draining = true;
        try {
            while (subscriber != null && !terminated) {
                if (error != null) {
                    terminated = true;
                    subscriber.onError(error);
                } else if (!queue.isEmpty() && demand > 0) {
                    demand--;
                    subscriber.onNext(queue.poll());
                } else if (queue.isEmpty() && complete) {
                    terminated = true;
                    subscriber.onComplete();
                } else if (queue.isEmpty() && demand > 0) {
                    source.readMore();
                    if (queue.isEmpty() && error == null && !complete) {
                        return;
                    }
                } else {
                    return;
                }
            }
        } finally {
            draining = false;
        }
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private final class Subscription implements Flow.Subscription {
        @Override
        public void request(long n) {
            onLoop(() -> {
                if (terminated) {
                    return;
                }
                if (n <= 0) {
                    // Reactive Streams rule 3.9: a non-positive request is a subscriber bug, reported as onError.
                    boolean finished = complete;
                    error = null;
                    queue.clear();
                    terminated = true;
                    if (!finished) {
                        source.cancel();
                    }
                    subscriber.onError(new IllegalArgumentException("request: " + n + " (expected: > 0)"));
                    return;
                }
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                drain();
            });
        }

        @Override
        public void cancel() {
            onLoop(() -> {
                if (terminated) {
                    return;
                }
                terminated = true;
                boolean finished = complete;
                queue.clear();
                if (!finished) {
                    source.cancel();
                }
            });
        }
    }

    private static final Flow.Subscription NOOP = new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    };
}
