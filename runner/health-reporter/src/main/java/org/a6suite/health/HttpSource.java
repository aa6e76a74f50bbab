package org.a6suite.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Fetches a text document over HTTP (APISIX's prometheus exporter, its Control API); tests substitute it. */
@FunctionalInterface
public interface HttpSource {

    /** Completes with the body of a 2xx answer, or fails (including on any other status). */
    CompletionStage<String> get(URI uri, Duration timeout);

    /** A JDK {@link HttpClient} based source. */
    static HttpSource jdk() {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return (uri, timeout) -> client.sendAsync(
                        HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> {
                    if (r.statusCode() / 100 != 2) {
                        throw new IllegalStateException("GET " + uri + " answered " + r.statusCode());
                    }
                    return r.body();
                });
    }
}
