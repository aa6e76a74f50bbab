package org.a6suite.ai.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.a6suite.ai.internal.provider.ProviderRequest;
import org.a6suite.ai.internal.provider.Wire;
import org.a6suite.resilience.Deadline;

/**
 * Sends provider requests with the JDK's asynchronous HTTP client: no thread waits for a response. A request's
 * timeout is its deadline's remaining time; cancelling the returned future aborts the exchange.
 */
public final class ProviderClient {

    /** A provider's response: status, headers and the whole body. */
    public record Response(int status, java.net.http.HttpHeaders headers, byte[] body) {
    }

    private final HttpClient client;
    private final Clock clock;

    public ProviderClient(Clock clock) {
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public Clock clock() {
        return clock;
    }

    public CompletableFuture<Response> send(ProviderRequest request, Deadline deadline) {
        URI uri = request.uri();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()))
                // h2 only where TLS negotiates it; plain-text endpoints (Ollama, vLLM, test servers) speak HTTP/1.1.
                .version("https".equalsIgnoreCase(uri.getScheme()) ? HttpClient.Version.HTTP_2
                        : HttpClient.Version.HTTP_1_1);
        if (!deadline.isInfinite()) {
            builder.timeout(Duration.ofNanos(Math.max(1_000_000, deadline.remainingNanos())));
        }
        request.headers().forEach(builder::header);
        return client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new Response(r.statusCode(), r.headers(), r.body()));
    }

    /** Throws the provider failure for a non-2xx response. */
    public void check(Response response) {
        if (response.status() < 200 || response.status() > 299) {
            throw Wire.error(response.status(), response.headers(), response.body(), clock);
        }
    }

    public void close() {
        client.close();
    }
}
