package org.a6suite.mcp.internal;

import java.util.List;
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
        List<String> accept = request.headers().all("accept");
        if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
            return Optional.of(new Refusal(
                    406,
                    Optional.empty(),
                    JsonRpcError.invalidRequest(
                            "not acceptable: Accept must list application/json and text/event-stream")));
        }
        String contentType = request.header("content-type").orElse("");
        if (!contentType.regionMatches(true, 0, "application/json", 0, "application/json".length())) {
            return Optional.of(new Refusal(
                    415,
                    Optional.empty(),
                    JsonRpcError.invalidRequest("unsupported media type: " + contentType.toLowerCase(Locale.ROOT)
                            + " (expected: application/json)")));
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
        if (!accepts(request.headers().all("accept"), "text/event-stream")) {
            return Optional.of(new Refusal(
                    406,
                    Optional.empty(),
                    JsonRpcError.invalidRequest("not acceptable: a GET must accept text/event-stream")));
        }
        return Optional.empty();
    }

    /** The consumer: the configured APISIX variable first, then the configured header; {@code ""} when neither. */
    public static String principal(RequestView request, McpGatewayConfig config) {
        // Plain branches rather than an Optional chain: this runs on every request, and each lambda was an object.
        if (config.principal().var().isPresent()) {
            String fromVar = request.var(config.principal().var().get()).orElse("");
            if (!fromVar.isEmpty()) {
                return fromVar;
            }
        }
        if (config.principal().header().isPresent()) {
            return request.header(config.principal().header().get()).orElse("");
        }
        return "";
    }

    /**
     * Whether one of the media ranges in the {@code Accept} values admits {@code type} (exactly, {@code major/*} or
     * {@code *}{@code /*}; parameters ignored, case-insensitive). Scans the values in place: this runs on every
     * request, and splitting and lower-casing them allocated more than the rest of the check.
     */
    static boolean accepts(List<String> acceptValues, String type) {
        int slash = type.indexOf('/');
        for (String value : acceptValues) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                int semicolon = value.indexOf(';', start);
                int rangeEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
                int from = start;
                while (from < rangeEnd && Character.isWhitespace(value.charAt(from))) {
                    from++;
                }
                int to = rangeEnd;
                while (to > from && Character.isWhitespace(value.charAt(to - 1))) {
                    to--;
                }
                if (rangeIs(value, from, to, type, type.length())
                        || rangeIs(value, from, to, "*/*", 3)
                        || (to - from == slash + 2
                                && value.regionMatches(true, from, type, 0, slash + 1)
                                && value.charAt(to - 1) == '*')) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    private static boolean rangeIs(String value, int from, int to, String range, int length) {
        return to - from == length && value.regionMatches(true, from, range, 0, length);
    }
}
