package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.http.OutboundRequest;
import org.a6suite.http.OutboundResponse;
import org.a6suite.http.codec.SseDecoder;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.resilience.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstreams' GET streams: the server-initiated messages of an upstream session, read as SSE events as they arrive
 * (decoded by the shared WHATWG {@link SseDecoder}) and handed to a {@link UpstreamClient.Listener} (lane mode relays
 * them onto the client's GET stream).
 *
 * <p>A stream whose connection ends or breaks is resumed, as the spec's client does: a new GET carrying
 * {@code Last-Event-ID} (the last id the upstream set, when it set one), after the upstream's {@code retry} time (or
 * {@link #DEFAULT_RETRY}), doubled for each consecutive reconnection that brought no message, at most
 * {@link #MAX_BACKOFF}. After {@link #MAX_RESUMES} such reconnections in a row, or when a reconnection is refused
 * (not a 200 {@code text/event-stream}: 404 for a lost session, 405), or after an oversized event, the stream ends and
 * the client's next GET opens it again.
 */
public final class UpstreamStreams {

    /** Consecutive reconnections without a message after which the stream is given up. */
    static final int MAX_RESUMES = 5;
    /** The first reconnection delay when the upstream set no {@code retry}. */
    static final Duration DEFAULT_RETRY = Duration.ofSeconds(1);
    /** The longest reconnection delay, whatever {@code retry} and the backoff say. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** An upstream GET stream may stay silent for long; its connection is closed with the client session's. */
    private static final Duration STREAM_IDLE = Duration.ofHours(24);

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamStreams.class);

    private final Outbound outbound;
    private final UpstreamClient client;
    private final Scheduler scheduler;

    public UpstreamStreams(Outbound outbound, UpstreamClient client, Scheduler scheduler) {
        this.outbound = requireNonNull(outbound, "outbound");
        this.client = requireNonNull(client, "client");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /** An open GET stream of an upstream; closing it closes the connection and stops resuming it. */
    public interface Stream extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens the upstream's GET stream for server-initiated messages of {@code session}, handing each to
     * {@code listener}; {@code onEnd} runs once when the stream ends for good (closed, refused on resumption, or out
     * of reconnections). Empty when the upstream offers no such stream (405, or an answer that is not
     * {@code text/event-stream}).
     */
    public CompletionStage<Optional<Stream>> listen(
            McpGatewayConfig.Upstream upstream,
            UpstreamClient.Session session,
            int maxBytes,
            UpstreamClient.Listener listener,
            Runnable onEnd) {
        Resumable stream = new Resumable(upstream, session, maxBytes, listener, onEnd);
        return stream.connect(Optional.empty())
                .thenApply(opened -> opened ? Optional.<Stream>of(stream) : Optional.<Stream>empty())
                .exceptionally(e -> Optional.empty());
    }

    /** One logical GET stream over successive connections. */
    private final class Resumable implements Stream {

        private final McpGatewayConfig.Upstream upstream;
        private final UpstreamClient.Session session;
        private final int maxBytes;
        private final UpstreamClient.Listener listener;
        private final Runnable onEnd;
        private final AtomicReference<OutboundResponse> current = new AtomicReference<>();
        private final AtomicReference<Scheduler.Task> pending = new AtomicReference<>();
        private Optional<String> lastEventId = Optional.empty();
        private Optional<Duration> retry = Optional.empty();
        private int failures;
        private boolean ended;

        Resumable(
                McpGatewayConfig.Upstream upstream,
                UpstreamClient.Session session,
                int maxBytes,
                UpstreamClient.Listener listener,
                Runnable onEnd) {
            this.upstream = upstream;
            this.session = session;
            this.maxBytes = maxBytes;
            this.listener = listener;
            this.onEnd = onEnd;
        }

        /** Opens one connection; completes with whether the upstream answered a 200 event stream. */
        CompletionStage<Boolean> connect(Optional<String> resumeFrom) {
            OutboundRequest.Builder request =
                    UpstreamClient.base("GET", upstream, session.id(), session.protocolVersion());
            resumeFrom.ifPresent(id -> request.header("last-event-id", id));
            return outbound.open(request.build(), upstream.timeout(), STREAM_IDLE)
                    .thenApply(response -> {
                        String type =
                                response.headers().firstValue("content-type").orElse("");
                        if (response.status() != 200 || !type.startsWith("text/event-stream")) {
                            response.abort();
                            return false;
                        }
                        synchronized (this) {
                            if (ended) {
                                response.abort();
                                return true;
                            }
                            current.set(response);
                        }
                        read(response);
                        return true;
                    });
        }

        private void read(OutboundResponse response) {
            SseDecoder decoder = new SseDecoder(maxBytes);
            AtomicReference<Flow.Subscription> sub = new AtomicReference<>();
            response.body().subscribe(new Flow.Subscriber<>() {
                private boolean delivered;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    sub.set(s);
                    s.request(1);
                }

                @Override
                public void onNext(ByteBuffer chunk) {
                    decoder.feed(chunk, event -> {
                        delivered |= !event.data().isEmpty();
                        client.dispatch(event, listener);
                    });
                    remember(decoder);
                    if (decoder.failed()) {
                        sub.get().cancel();
                        end();
                        return;
                    }
                    sub.get().request(1);
                }

                @Override
                public void onError(Throwable error) {
                    dropped(delivered);
                }

                @Override
                public void onComplete() {
                    dropped(delivered);
                }
            });
        }

        private synchronized void remember(SseDecoder decoder) {
            decoder.lastEventId().ifPresent(id -> lastEventId = Optional.of(id));
            decoder.retry().ifPresent(r -> retry = Optional.of(r));
        }

        /** The connection ended without being closed by us: reconnect after a delay, or give up. */
        private void dropped(boolean delivered) {
            Duration delay;
            Optional<String> resumeFrom;
            synchronized (this) {
                if (ended) {
                    return;
                }
                failures = delivered ? 1 : failures + 1;
                if (failures > MAX_RESUMES) {
                    LOG.info(
                            "mcp-gateway: GET stream of upstream {} given up after {} reconnections without a message",
                            upstream.name(),
                            MAX_RESUMES);
                    delay = null;
                    resumeFrom = Optional.empty();
                } else {
                    delay = delay(retry.orElse(DEFAULT_RETRY), failures);
                    resumeFrom = lastEventId;
                }
            }
            if (delay == null) {
                end();
                return;
            }
            pending.set(scheduler.schedule(() -> resume(resumeFrom), delay));
        }

        private void resume(Optional<String> resumeFrom) {
            synchronized (this) {
                if (ended) {
                    return;
                }
            }
            connect(resumeFrom)
                    .exceptionally(e -> {
                        // A connection that cannot be made counts as one more reconnection without a message.
                        dropped(false);
                        return true;
                    })
                    .thenAccept(opened -> {
                        if (!opened) {
                            LOG.info(
                                    "mcp-gateway: upstream {} refused to resume its GET stream; it ends",
                                    upstream.name());
                            end();
                        }
                    });
        }

        @Override
        public void close() {
            OutboundResponse response = current.get();
            if (response != null) {
                response.abort();
            }
            end();
        }

        private void end() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            Scheduler.Task task = pending.getAndSet(null);
            if (task != null) {
                task.cancel();
            }
            OutboundResponse response = current.getAndSet(null);
            if (response != null) {
                response.abort();
            }
            onEnd.run();
        }
    }

    /** {@code base} doubled for each reconnection after the first, at most {@link #MAX_BACKOFF}. */
    static Duration delay(Duration base, int attempt) {
        Duration d = base;
        for (int i = 1; i < attempt && d.compareTo(MAX_BACKOFF) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }
}
