package org.a6suite.testing.backend;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request as an {@link EchoBackend} received it: the method, the raw request target, the headers in wire order and
 * case, and the body. TEST FIXTURE only.
 */
public record RecordedRequest(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {
    public RecordedRequest {
        requireNonNull(method, "method");
        requireNonNull(target, "target");
        headers = List.copyOf(headers);
        requireNonNull(body, "body");
    }

    /** The first value of a header, matched case-insensitively. */
    public Optional<String> header(String name) {
        return headers.stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    /** Every value of a header in wire order, matched case-insensitively. */
    public List<String> headers(String name) {
        return headers.stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .toList();
    }

    /** The header names in wire order and original case. */
    public List<String> headerNames() {
        return headers.stream().map(Map.Entry::getKey).toList();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
