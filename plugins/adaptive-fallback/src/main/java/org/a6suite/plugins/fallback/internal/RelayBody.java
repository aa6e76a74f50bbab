package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.a6suite.plugin.Body;

/**
 * One upstream response body on its way to the lane: held back until the <em>commit point</em>, then relayed chunk
 * by chunk with the lane's backpressure, while a bounded copy is captured for the cache.
 *
 * <pre>
 *   upstream (OutboundResponse.body, request(1) at a time)
 *        |  held back: up to commitBytes, or to the end of the body  -&gt; {@link #committed()} completes
 *        v
 *   lane subscriber (LaneResponse.streamed): gets the held chunks, then each new one as it asks for it
 * </pre>
 *
 * <p>Why hold back: until the answer is committed the lane may still retry on another node or fall back, so a
 * backend that sends its head at once and then drips (or stops) does not trap the client. A small answer (the usual
 * case) is complete before the commit point and is sent whole. The upstream is read only while something wants the
 * bytes: before the commit point the relay itself, after it the lane's demand, so a client that stops reading stops
 * the backend (the outbound client does not read the socket without demand).
 *
 * <p>Signals from the upstream arrive on the outbound client's event loop; the lane's {@code request}/{@code cancel}
 * on its own. State is guarded by this object's monitor; emission to the lane is serialised by a work-in-progress
 * counter so {@code onNext} never runs concurrently nor recursively (Reactive Streams 1.3, 3.3).
 */
public final class RelayBody implements Flow.Subscriber<ByteBuffer>, Flow.Publisher<Body> {

    private final int commitBytes;
    private final int captureLimit;
    private final Consumer<Optional<Body>> onEnd;
    private final CompletableFuture<RelayBody> committed = new CompletableFuture<>();
    private final ArrayDeque<Body> held = new ArrayDeque<>();
    private final AtomicInteger wip = new AtomicInteger();
    /** The chunks kept for the cache (the same immutable chunks as relayed: no copy); null once over the limit. */
    private ArrayList<Body> capture;

    private long capturedBytes;
    private long heldBytes;
    private Flow.Subscription upstream;
    private boolean upstreamAsked;
    private boolean upstreamDone;
    private Throwable upstreamError;
    private boolean isCommitted;
    private Flow.Subscriber<? super Body> downstream;
    private long demand;
    private boolean cancelled;
    private boolean terminated;

    /**
     * @param commitBytes  bytes held before committing (the body's end commits earlier)
     * @param captureLimit bytes captured for the cache at most; negative: capture nothing
     * @param onEnd        told once, when the upstream body ended: the captured body if it ended normally and fit
     */
    public RelayBody(int commitBytes, int captureLimit, Consumer<Optional<Body>> onEnd) {
        this.commitBytes = commitBytes;
        this.captureLimit = captureLimit;
        this.onEnd = requireNonNull(onEnd, "onEnd");
        this.capture = captureLimit >= 0 ? new ArrayList<>(1) : null;
        if (commitBytes <= 0) {
            // a stream (server-sent events, x-accel-buffering: no): committed at the head
            this.isCommitted = true;
            committed.complete(this);
        }
    }

    /** Completes at the commit point; fails if the body fails before it. */
    public CompletableFuture<RelayBody> committed() {
        return committed;
    }

    /** Whether the whole body is held (the answer can be sent with a content-length). */
    public synchronized boolean isComplete() {
        return upstreamDone && upstreamError == null && downstream == null;
    }

    /** The held body, when {@link #isComplete()}. */
    public synchronized Body wholeBody() {
        return join(held, heldBytes);
    }

    /**
     * The chunk's bytes: the outbound client's own array when the buffer is a whole array nobody else holds (its
     * contract, see {@code OutboundResponse.body()}), so a relayed chunk is not copied a second time; else a copy.
     */
    private static byte[] owned(ByteBuffer item) {
        if (item.hasArray()
                && item.arrayOffset() == 0
                && item.position() == 0
                && item.remaining() == item.array().length) {
            return item.array();
        }
        byte[] bytes = new byte[item.remaining()];
        item.get(bytes);
        return bytes;
    }

    private static Body join(Collection<Body> chunks, long bytes) {
        if (chunks.size() == 1) {
            return chunks.iterator().next();
        }
        byte[] all = new byte[(int) Math.min(bytes, Integer.MAX_VALUE)];
        int at = 0;
        for (Body b : chunks) {
            ByteBuffer src = b.asByteBuffer();
            int n = src.remaining();
            src.get(all, at, n);
            at += n;
        }
        return Body.wrap(all);
    }

    /** Gives the body up: the upstream connection is closed unless the body already ended. */
    public void abort() {
        Flow.Subscription s;
        synchronized (this) {
            cancelled = true;
            s = upstreamDone ? null : upstream;
            held.clear();
        }
        if (s != null) {
            s.cancel();
        }
        committed.cancel(false);
    }

    // ------------------------------------------------------------ from the upstream

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        boolean cancelNow;
        synchronized (this) {
            cancelNow = upstream != null || cancelled;
            if (!cancelNow) {
                upstream = subscription;
            }
        }
        if (cancelNow) {
            subscription.cancel();
            return;
        }
        askUpstreamIfWanted();
    }

    @Override
    public void onNext(ByteBuffer item) {
        byte[] bytes = owned(item);
        boolean commitNow = false;
        synchronized (this) {
            upstreamAsked = false;
            if (cancelled) {
                return;
            }
            if (bytes.length > 0) {
                Body chunk = Body.wrap(bytes);
                held.add(chunk);
                heldBytes += bytes.length;
                if (capture != null) {
                    if (capturedBytes + bytes.length > captureLimit) {
                        capture = null; // too large for the cache: stop keeping
                    } else {
                        capture.add(chunk);
                        capturedBytes += bytes.length;
                    }
                }
            }
            if (!isCommitted && heldBytes >= commitBytes) {
                isCommitted = true;
                commitNow = true;
            }
        }
        if (commitNow) {
            committed.complete(this);
        }
        drain();
        askUpstreamIfWanted();
    }

    @Override
    public void onError(Throwable throwable) {
        boolean failCommit;
        synchronized (this) {
            upstreamDone = true;
            upstreamError = throwable;
            failCommit = !isCommitted;
            isCommitted = true;
        }
        if (failCommit) {
            committed.completeExceptionally(throwable);
        }
        onEnd.accept(Optional.empty());
        drain();
    }

    @Override
    public void onComplete() {
        boolean commitNow;
        Optional<Body> captured;
        synchronized (this) {
            upstreamDone = true;
            commitNow = !isCommitted;
            isCommitted = true;
            captured = capture == null
                    ? Optional.empty()
                    : Optional.of(capture.isEmpty() ? Body.EMPTY : join(capture, capturedBytes));
            capture = null;
        }
        onEnd.accept(captured);
        if (commitNow) {
            committed.complete(this);
        }
        drain();
    }

    private void askUpstreamIfWanted() {
        Flow.Subscription s = null;
        synchronized (this) {
            boolean wanted = !isCommitted || (downstream != null && demand > held.size());
            if (wanted && !upstreamAsked && !upstreamDone && !cancelled && upstream != null) {
                upstreamAsked = true;
                s = upstream;
            }
        }
        if (s != null) {
            s.request(1);
        }
    }

    // ------------------------------------------------------------ to the lane

    @Override
    public void subscribe(Flow.Subscriber<? super Body> subscriber) {
        requireNonNull(subscriber, "subscriber");
        boolean second;
        synchronized (this) {
            second = downstream != null;
            if (!second) {
                downstream = subscriber;
            }
        }
        if (second) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            subscriber.onError(new IllegalStateException("the relayed body has one subscriber only"));
            return;
        }
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    synchronized (RelayBody.this) {
                        upstreamError = new IllegalArgumentException("request: " + n + " (expected: > 0, rule 3.9)");
                        upstreamDone = true;
                        held.clear();
                    }
                } else {
                    synchronized (RelayBody.this) {
                        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    }
                }
                drain();
                askUpstreamIfWanted();
            }

            @Override
            public void cancel() {
                abort();
            }
        });
        drain();
        askUpstreamIfWanted();
    }

    /** Emits what is held while the lane has demand, then the end; one thread at a time. */
    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (true) {
                Flow.Subscriber<? super Body> target;
                Body next = null;
                boolean end = false;
                Throwable error = null;
                synchronized (this) {
                    target = downstream;
                    if (target == null || terminated || cancelled) {
                        break;
                    }
                    if (demand > 0 && !held.isEmpty()) {
                        next = held.poll();
                        heldBytes -= next.size();
                        demand--;
                    } else if (held.isEmpty() && upstreamDone) {
                        terminated = true;
                        end = true;
                        error = upstreamError;
                    } else {
                        break;
                    }
                }
                if (next != null) {
                    target.onNext(next);
                } else if (end) {
                    if (error == null) {
                        target.onComplete();
                    } else {
                        target.onError(error);
                    }
                    break;
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }
}
