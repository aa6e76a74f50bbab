package org.a6suite.ai.internal.stream;

import static java.util.Objects.requireNonNull;

import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.a6suite.ai.internal.provider.ProviderRequest;

/**
 * Sends one provider request and hands back the response head as soon as it arrives, with the body as a stream of
 * byte chunks read only as fast as they are requested. The one seam between the streaming invoker and an HTTP
 * client, implemented over the project's shared outbound client
 * ({@link org.a6suite.ai.internal.outbound.SharedClientStreamingTransport}).
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #send} completes when status and headers are in, or exceptionally ({@link java.io.IOException} for
 *       connection failures, {@link java.net.http.HttpTimeoutException} when {@code headTimeout} passes first).
 *       Cancelling the returned future before then aborts the exchange.</li>
 *   <li>The body is subscribed at most once. It delivers what it read, in order, no more lists than requested; it
 *       ends with {@code onComplete} when the provider's message is complete, or {@code onError} (an
 *       {@link java.io.IOException}) when the connection failed. Cancelling the subscription aborts the exchange:
 *       the connection to the provider is closed, not returned to a pool, since the provider is still sending.</li>
 * </ul>
 */
public interface StreamingTransport extends AutoCloseable {

    /** A response head and its body. */
    record StreamedReply(int status, HttpHeaders headers, Flow.Publisher<List<ByteBuffer>> body) {
        public StreamedReply {
            requireNonNull(headers, "headers");
            requireNonNull(body, "body");
        }
    }

    /**
     * Sends {@code request} as a POST.
     *
     * @param headTimeout how long to wait for the response head; {@link org.a6suite.resilience.Deadline#INFINITE}
     *                    for no limit of its own (the caller's deadlines still cancel the future)
     */
    CompletableFuture<StreamedReply> send(ProviderRequest request, Duration headTimeout);

    @Override
    void close();

    /** Subscribes to a body only to cancel it, which aborts the exchange (a body nobody reads holds a connection). */
    static void discard(Flow.Publisher<?> body) {
        body.subscribe(new Flow.Subscriber<Object>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
            }

            @Override
            public void onNext(Object item) {}

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onComplete() {}
        });
    }
}
