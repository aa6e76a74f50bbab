package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.http.OutboundRequest;
import org.a6suite.mcp.McpGatewayConfig;

/**
 * The upstreams' GET streams: the server-initiated messages of an upstream session, read as SSE events as they arrive
 * and handed to a {@link UpstreamClient.Listener} (lane mode relays them onto the client's GET stream). Not resumed
 * after a failure: the client's next GET opens them again.
 */
public final class UpstreamStreams {

    private final Outbound outbound;
    private final UpstreamClient client;

    public UpstreamStreams(Outbound outbound, UpstreamClient client) {
        this.outbound = requireNonNull(outbound, "outbound");
        this.client = requireNonNull(client, "client");
    }

    /** An open GET stream of an upstream; closing it closes the connection. */
    public interface Stream extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Opens the upstream's GET stream for server-initiated messages of {@code session}, handing each to
     * {@code listener}; {@code onEnd} runs once when the stream ends or fails. Empty when the upstream offers no
     * such stream (405, or an answer that is not {@code text/event-stream}).
     */
    public CompletionStage<Optional<Stream>> listen(
            McpGatewayConfig.Upstream upstream,
            UpstreamClient.Session session,
            int maxBytes,
            UpstreamClient.Listener listener,
            Runnable onEnd) {
        OutboundRequest request = UpstreamClient.base("GET", upstream, session.id(), session.protocolVersion())
                .build();
        return outbound.open(request, upstream.timeout(), STREAM_IDLE)
                .thenApply(response -> {
                    String type = response.headers().firstValue("content-type").orElse("");
                    if (response.status() != 200 || !type.startsWith("text/event-stream")) {
                        response.abort();
                        return Optional.<Stream>empty();
                    }
                    SseParser parser = new SseParser(maxBytes);
                    AtomicBoolean ended = new AtomicBoolean();
                    Runnable end = () -> {
                        if (ended.compareAndSet(false, true)) {
                            onEnd.run();
                        }
                    };
                    AtomicReference<Flow.Subscription> sub = new AtomicReference<>();
                    response.body().subscribe(new Flow.Subscriber<>() {
                        @Override
                        public void onSubscribe(Flow.Subscription s) {
                            sub.set(s);
                            s.request(1);
                        }

                        @Override
                        public void onNext(ByteBuffer chunk) {
                            parser.feed(chunk, event -> client.dispatch(event, listener));
                            if (parser.failed()) {
                                sub.get().cancel();
                                end.run();
                                return;
                            }
                            sub.get().request(1);
                        }

                        @Override
                        public void onError(Throwable error) {
                            end.run();
                        }

                        @Override
                        public void onComplete() {
                            end.run();
                        }
                    });
                    return Optional.<Stream>of(() -> {
                        response.abort();
                        end.run();
                    });
                })
                .exceptionally(e -> Optional.empty());
    }

    /** An upstream GET stream may stay silent for long; its connection is closed with the client session's. */
    private static final Duration STREAM_IDLE = Duration.ofHours(24);
}
