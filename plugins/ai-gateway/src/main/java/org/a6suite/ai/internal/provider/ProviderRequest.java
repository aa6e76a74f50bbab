package org.a6suite.ai.internal.provider;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Map;
import org.a6suite.http.OutboundHeaders;

/**
 * One HTTP POST to a provider. {@code headers} may hold a credential: never log them (the record's string form
 * shows header names only). {@code wireHeaders} are the same headers as the outbound client sends them; adapters that
 * prebuild them per target ({@link PrebuiltHeaders}) pass both, the others only the map.
 */
public record ProviderRequest(URI uri, Map<String, String> headers, byte[] body, OutboundHeaders wireHeaders) {

    public ProviderRequest {
        requireNonNull(uri, "uri");
        headers = Map.copyOf(headers);
        requireNonNull(body, "body");
        requireNonNull(wireHeaders, "wireHeaders");
    }

    /** A request whose outbound headers are built from {@code headers}. */
    public ProviderRequest(URI uri, Map<String, String> headers, byte[] body) {
        this(uri, headers, body, wire(headers));
    }

    static OutboundHeaders wire(Map<String, String> headers) {
        OutboundHeaders.Builder b = OutboundHeaders.builder();
        headers.forEach(b::add);
        return b.build();
    }

    @Override
    public String toString() {
        return "ProviderRequest[" + uri.getScheme() + "://" + uri.getAuthority() + uri.getPath() + ", headers="
                + headers.keySet() + ", " + body.length + " bytes]";
    }
}
