package org.a6suite.mcp.internal;

import java.util.Locale;
import java.util.Optional;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.a6suite.plugin.RequestView;

/**
 * The HTTP checks of the Streamable HTTP transport that come before any JSON-RPC: Origin (403), Accept (406),
 * Content-Type (415) and size (413). Stateless; both front ends (invoke and lane) use it.
 */
public final class HttpGuard {

    /** A refused request: the HTTP status and the JSON-RPC error its body carries. */
    public record Refusal(int status, Optional<JsonRpcId> id, JsonRpcError error) {}

    private HttpGuard() {}

    /** A browser origin the route does not allow; requests without {@code Origin} pass. */
    public static Optional<Refusal> origin(RequestView request, McpGatewayConfig config) {
        Optional<String> origin = request.header("origin");
        if (origin.isPresent()
                && !config.allowedOrigins().contains("*")
                && !config.allowedOrigins().contains(origin.get())) {
            return Optional.of(new Refusal(
                    403, Optional.empty(), JsonRpcError.invalidRequest("origin not allowed: " + origin.get())));
        }
        return Optional.empty();
    }

    /** A POST's Accept, Content-Type and size; returns the body when they pass. */
    public static Optional<Refusal> post(RequestView request, McpGatewayConfig config) {
        String accept = accept(request);
        if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
            return Optional.of(new Refusal(
                    406,
                    Optional.empty(),
                    JsonRpcError.invalidRequest(
                            "not acceptable: Accept must list application/json and text/event-stream")));
        }
        String contentType = request.header("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/json")) {
            return Optional.of(new Refusal(
                    415,
                    Optional.empty(),
                    JsonRpcError.invalidRequest(
                            "unsupported media type: " + contentType + " (expected: application/json)")));
        }
        int size = request.body().map(b -> b.size()).orElse(0);
        if (size > config.maxRequestBytes()) {
            return Optional.of(new Refusal(
                    413,
                    Optional.empty(),
                    JsonRpcError.invalidRequest("request body of " + size + " bytes exceeds max_request_bytes ("
                            + config.maxRequestBytes() + ")")));
        }
        return Optional.empty();
    }

    /** A GET (the server-initiated stream) must accept {@code text/event-stream}. */
    public static Optional<Refusal> get(RequestView request) {
        if (!accepts(accept(request), "text/event-stream")) {
            return Optional.of(new Refusal(
                    406,
                    Optional.empty(),
                    JsonRpcError.invalidRequest("not acceptable: a GET must accept text/event-stream")));
        }
        return Optional.empty();
    }

    /** The consumer: the configured APISIX variable first, then the configured header; {@code ""} when neither. */
    public static String principal(RequestView request, McpGatewayConfig config) {
        Optional<String> fromVar =
                config.principal().var().flatMap(request::var).filter(v -> !v.isEmpty());
        return fromVar.or(() ->
                        config.principal().header().flatMap(request::header).filter(v -> !v.isEmpty()))
                .orElse("");
    }

    private static String accept(RequestView request) {
        return String.join(",", request.headers().all("accept")).toLowerCase(Locale.ROOT);
    }

    static boolean accepts(String accept, String type) {
        String major = type.substring(0, type.indexOf('/'));
        for (String part : accept.split(",")) {
            String range = part.split(";", 2)[0].strip();
            if (range.equals(type) || range.equals("*/*") || range.equals(major + "/*")) {
                return true;
            }
        }
        return false;
    }
}
