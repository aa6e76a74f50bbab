package org.a6suite.mcp.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.a6suite.http.OutboundHeaders;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.LocalTool;

/**
 * The parts of a REST tool's backend request that do not change from call to call, made once per configured backend
 * or tool instead of per call: the backend's headers as one immutable {@link OutboundHeaders} (the request builder
 * keeps it whole, no copy), and the URI of a tool whose URL has no per-call part (no placeholder, no query), parsed
 * and checked once. Keyed by the configuration objects' identity and held weakly: a new configuration makes new
 * entries and the old ones go with it.
 */
final class RequestParts {

    /** A tool's fixed URI and the backend it was made for (a tool object is only ever bound to one backend). */
    private record FixedUri(McpGatewayConfig.Backend backend, URI uri) {}

    private final Cache<McpGatewayConfig.Backend, Optional<OutboundHeaders>> headers =
            Caffeine.newBuilder().weakKeys().build();
    private final Cache<LocalTool, FixedUri> uris =
            Caffeine.newBuilder().weakKeys().build();

    /**
     * {@code accept: application/json} then the backend's headers, names in lower case, a later one replacing an
     * earlier one of the same name (the per-call merge's result without header arguments); empty when the request
     * builder would refuse one of them, so the call takes the per-call path and reports it as before.
     */
    Optional<OutboundHeaders> headers(McpGatewayConfig.Backend backend) {
        return headers.get(backend, RequestParts::build);
    }

    private static Optional<OutboundHeaders> build(McpGatewayConfig.Backend backend) {
        Map<String, String> merged = new LinkedHashMap<>();
        merged.put("accept", "application/json");
        backend.headers().forEach((name, value) -> merged.put(name.toLowerCase(Locale.ROOT), value));
        OutboundHeaders.Builder all = OutboundHeaders.builder();
        try {
            merged.forEach(all::add);
            OutboundHeaders built = all.build();
            // The request builder's own check, made here once: a name it refuses keeps the per-call path.
            org.a6suite.http.OutboundRequest.builder("GET", backend.baseUrl()).headers(built);
            return Optional.of(built);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The URI made for {@code tool} on {@code backend} by an earlier call, if its URL has no per-call part. */
    Optional<URI> fixedUri(LocalTool tool, McpGatewayConfig.Backend backend) {
        FixedUri fixed = uris.getIfPresent(tool);
        return fixed != null && fixed.backend() == backend ? Optional.of(fixed.uri()) : Optional.empty();
    }

    /** Keeps a URI that passed the checks, for a tool whose URL has no per-call part. */
    void keepFixedUri(LocalTool tool, McpGatewayConfig.Backend backend, URI uri) {
        uris.put(tool, new FixedUri(backend, uri));
    }
}
