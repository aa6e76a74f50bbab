package org.a6suite.testing.ai;

import java.util.Map;
import java.util.Optional;

/** TEST FIXTURE. A request an {@link AiProviderServer} received: path with query, lower-case headers, body. */
public record RecordedRequest(String method, String uri, Map<String, String> headers, String body) {

    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
    }

    public String path() {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
