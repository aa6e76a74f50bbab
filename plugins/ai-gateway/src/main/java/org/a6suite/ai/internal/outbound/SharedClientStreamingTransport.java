package org.a6suite.ai.internal.outbound;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.a6suite.ai.internal.provider.ProviderRequest;
import org.a6suite.ai.internal.stream.StreamingTransport;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundResponse;

/**
 * {@link StreamingTransport} over the project's shared outbound client: pooled HTTP/1.1 (never an {@code Upgrade:
 * h2c}), a stale pooled connection retried only when the request provably never reached the provider, body reads
 * only as fast as the relay asks. Cancelling the reply before the head, or the body's subscription after it, closes
 * the provider connection, which aborts the generation.
 *
 * <p>The client's read-idle limit is left unbounded: the relay's adaptive token-gap deadline owns mid-stream silence.
 */
public final class SharedClientStreamingTransport implements StreamingTransport {

    private final OutboundClient client;

    public SharedClientStreamingTransport(OutboundClient client) {
        this.client = requireNonNull(client, "client");
    }

    @Override
    public CompletableFuture<StreamedReply> send(ProviderRequest request, Duration headTimeout) {
        CompletableFuture<OutboundResponse> sent = client.send(Outbound.post(request, headTimeout, Outbound.UNBOUNDED));
        CompletableFuture<StreamedReply> reply = new CompletableFuture<>();
        sent.whenComplete((response, error) -> {
            if (error != null) {
                reply.completeExceptionally(Outbound.translate(error));
                return;
            }
            if (!reply.complete(new StreamedReply(
                    response.status(), Outbound.headers(response.headers()), new Listed(response.body())))) {
                // Cancelled while the head was on its way: nobody will read this body.
                response.abort();
            }
        });
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                sent.cancel(true);
            }
        });
        return reply;
    }

    @Override
    public void close() {
        // The client is shared and closed by its owner.
    }

    /** The body one buffer per item, as the JDK's {@code ofPublisher()} delivers it; demand passes straight through. */
    private record Listed(Flow.Publisher<ByteBuffer> source) implements Flow.Publisher<List<ByteBuffer>> {
        @Override
        public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> subscriber) {
            source.subscribe(new Flow.Subscriber<ByteBuffer>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscriber.onSubscribe(subscription);
                }

                @Override
                public void onNext(ByteBuffer item) {
                    subscriber.onNext(List.of(item));
                }

                @Override
                public void onError(Throwable error) {
                    subscriber.onError(Outbound.translate(error));
                }

                @Override
                public void onComplete() {
                    subscriber.onComplete();
                }
            });
        }
    }
}
