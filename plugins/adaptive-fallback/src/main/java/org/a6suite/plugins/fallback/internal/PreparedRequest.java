package org.a6suite.plugins.fallback.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.a6suite.http.OutboundRequest;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestView;
import org.a6suite.resilience.Deadline;

/**
 * The parts of the lane's outbound request that do not depend on the node: worked out once per lane request, so
 * that a retry or a hedge only adds the node's address and its own deadline.
 *
 * <p>What is dropped: hop-by-hop and framing headers (the outbound client writes its own), the lane's handoff header
 * and the plugin's own tracking header. Names are compared ignoring case without lower-casing each one (a request
 * that went through APISIX carries names as the client wrote them, so lower-casing would copy most of them).
 */
final class PreparedRequest {

    private static final String[] NOT_FORWARDED = {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "http2-settings",
        "x-a6-lane",
        RouteState.ID_HEADER
    };
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(
            HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

    private final String method;
    private final boolean idempotent;
    private final String pathAndQuery;
    private final List<Headers.Header> headers;
    private final byte[] body;

    private PreparedRequest(
            String method, boolean idempotent, String pathAndQuery, List<Headers.Header> headers, byte[] body) {
        this.method = method;
        this.idempotent = idempotent;
        this.pathAndQuery = pathAndQuery;
        this.headers = headers;
        this.body = body;
    }

    /**
     * @throws IllegalArgumentException when the path cannot be written as a URI path (the message names it)
     */
    static PreparedRequest of(RequestView request) {
        HttpMethod method = request.method();
        List<Headers.Header> kept = new ArrayList<>(request.headers().size());
        for (Headers.Header h : request.headers()) {
            if (!notForwarded(h.name())) {
                kept.add(h);
            }
        }
        byte[] body =
                request.body().filter(b -> !b.isEmpty()).map(Body::toByteArray).orElse(null);
        if (body == null && (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH)) {
            body = new byte[0]; // an empty body, sent with content-length: 0
        }
        return new PreparedRequest(method.name(), isIdempotent(method), pathAndQuery(request), kept, body);
    }

    /** GET, HEAD, OPTIONS, TRACE, PUT and DELETE: sending them twice does no harm (RFC 9110 §9.2.2). */
    static boolean isIdempotent(HttpMethod method) {
        return IDEMPOTENT.contains(method);
    }

    /** The request for {@code node}, waiting for its head at most what {@code deadline} leaves (or the cap). */
    OutboundRequest toNode(UpstreamSpec spec, UpstreamSpec.Node node, Deadline deadline) {
        OutboundRequest.Builder b = OutboundRequest.builder(
                        method, URI.create(spec.scheme() + "://" + node.hostPort() + pathAndQuery))
                .idempotent(idempotent)
                .readIdleTimeout(spec.timeout().read());
        long remaining = deadline.remainingNanos();
        b.responseHeadTimeout(
                remaining > 0 && remaining != Long.MAX_VALUE
                        ? Duration.ofNanos(remaining)
                        : spec.timeout().attemptCap());
        for (Headers.Header h : headers) {
            b.header(h.name(), h.value());
        }
        if (body != null) {
            b.body(body);
        }
        return b.build();
    }

    private static boolean notForwarded(String name) {
        for (String n : NOT_FORWARDED) {
            if (n.length() == name.length() && n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static String pathAndQuery(RequestView request) {
        String path;
        try {
            path = new URI(null, null, request.path(), null).getRawPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("path: not encodable (" + e.getReason() + ")");
        }
        QueryArgs args = request.args();
        if (args.isEmpty()) {
            return path;
        }
        StringBuilder s = new StringBuilder(path);
        char sep = '?';
        for (QueryArgs.Arg a : args.entries()) {
            s.append(sep).append(URLEncoder.encode(a.name(), StandardCharsets.UTF_8));
            a.value().ifPresent(v -> s.append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            sep = '&';
        }
        return s.toString();
    }
}
