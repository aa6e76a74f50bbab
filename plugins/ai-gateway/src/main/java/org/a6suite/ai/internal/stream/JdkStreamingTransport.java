package org.a6suite.ai.internal.stream;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.a6suite.ai.internal.provider.ProviderRequest;
import org.a6suite.resilience.Deadline;

/**
 * {@link StreamingTransport} over the JDK's {@link HttpClient} ({@code BodyHandlers.ofPublisher()}): HTTP/1.1 on
 * plain http (never an {@code Upgrade: h2c} on a POST), HTTP/2 where TLS negotiates it. Cancelling the body's
 * subscription before its end makes the JDK close the HTTP/1.1 connection (or reset the HTTP/2 stream).
 */
public final class JdkStreamingTransport implements StreamingTransport {

    private final HttpClient client;

    public JdkStreamingTransport() {
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public CompletableFuture<StreamedReply> send(ProviderRequest request, Duration headTimeout) {
        URI uri = request.uri();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()))
                .version("https".equalsIgnoreCase(uri.getScheme()) ? HttpClient.Version.HTTP_2
                        : HttpClient.Version.HTTP_1_1);
        if (headTimeout.compareTo(Deadline.INFINITE) < 0) {
            builder.timeout(headTimeout.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : headTimeout);
        }
        request.headers().forEach(builder::header);
        CompletableFuture<HttpResponse<java.util.concurrent.Flow.Publisher<java.util.List<java.nio.ByteBuffer>>>>
                sent = client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofPublisher());
        CompletableFuture<StreamedReply> reply = sent.thenApply(r -> new StreamedReply(r.statusCode(), r.headers(),
                r.body()));
        // thenApply's future does not pass cancellation back: cancelling the reply must abort the exchange.
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                sent.cancel(true);
                // The head may have arrived first: a body nobody subscribes to would hold the connection.
                sent.thenAccept(response -> discard(response.body()));
            }
        });
        return reply;
    }

    /** Subscribes to a body only to cancel it, which aborts the exchange. */
    public static void discard(java.util.concurrent.Flow.Publisher<?> body) {
        body.subscribe(new java.util.concurrent.Flow.Subscriber<Object>() {
            @Override
            public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
                subscription.cancel();
            }

            @Override
            public void onNext(Object item) {
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
    }

    @Override
    public void close() {
        client.close();
    }
}
