package org.a6suite.ai.internal.provider;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;

/**
 * One HTTP POST to a provider. {@code headers} may hold a credential: never log them (the record's string form
 * shows header names only).
 */
public record ProviderRequest(URI uri, Map<String, String> headers, byte[] body) {

    public ProviderRequest {
        requireNonNull(uri, "uri");
        headers = Map.copyOf(headers);
        requireNonNull(body, "body");
    }

    @Override
    public String toString() {
        return "ProviderRequest[" + uri.getScheme() + "://" + uri.getAuthority() + uri.getPath() + ", headers="
                + headers.keySet() + ", " + body.length + " bytes]";
    }
}
