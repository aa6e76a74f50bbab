package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;
import static org.a6suite.mcp.internal.FederatedFeatures.RATE_LIMITED;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.internal.FederatedFeatures.Context;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every federated method shares: which upstreams of the session offer a feature, one request to one of them,
 * the route's rate limits, and the metrics and call log line of each request ({@code a6_mcp_requests_total},
 * {@code a6_mcp_request_duration_seconds}, logger {@code org.a6suite.mcp.calls}).
 */
final class FederatedCalls {

    private static final Logger CALL_LOG = LoggerFactory.getLogger("org.a6suite.mcp.calls");

    final ObjectMapper mapper;
    final Ticker ticker;
    /** The route's REST resources and prompts; empty when constructed without a REST invoker (upstreams only). */
    final Optional<RestFeatures> rest;

    private final UpstreamSessions sessions;
    private final ToolRateLimiter rateLimiter;
    private final PluginMetrics metrics;

    FederatedCalls(
            ObjectMapper mapper,
            UpstreamSessions sessions,
            ToolRateLimiter rateLimiter,
            PluginMetrics metrics,
            Ticker ticker,
            Optional<RestFeatures> rest) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.sessions = requireNonNull(sessions, "sessions");
        this.rateLimiter = requireNonNull(rateLimiter, "rateLimiter");
        this.metrics = requireNonNull(metrics, "metrics");
        this.ticker = requireNonNull(ticker, "ticker");
        this.rest = requireNonNull(rest, "rest");
    }

    /**
     * The upstreams that offer {@code feature} as far as this session knows; one whose features are unknown (its
     * initialize failed, or an older runner sealed the session) is included and asked.
     */
    List<McpGatewayConfig.Upstream> offering(Context ctx, ServerFeature feature) {
        return ctx.config().upstreams().stream()
                .filter(u -> sessions.current(ctx.session(), u)
                        .map(s -> s.mayOffer(feature))
                        .orElse(true))
                .toList();
    }

    /** Sends one request upstream; empty when the upstream session says it does not offer {@code feature}. */
    CompletionStage<Optional<JsonNode>> ask(
            Context ctx, McpGatewayConfig.Upstream upstream, ServerFeature feature, String method, ObjectNode params) {
        return sessions.with(
                ctx.config(),
                ctx.session(),
                upstream,
                s -> s.mayOffer(feature)
                        ? sessions.client()
                                .request(
                                        upstream,
                                        s,
                                        method,
                                        params,
                                        ctx.config().maxResultBytes())
                                .thenApply(Optional::of)
                        : CompletableFuture.completedFuture(Optional.<JsonNode>empty()));
    }

    Optional<JsonRpcError> rateLimit(Context ctx, JsonRpcMessage.Request r, String subject) {
        Optional<Duration> wait =
                rateLimiter.tryAcquire(ctx.config().rateLimits(), r.method(), subject, ctx.principal());
        if (wait.isEmpty()) {
            return Optional.empty();
        }
        record(ctx, r, "none", subject, "rate_limited", -1);
        ObjectNode data =
                mapper.createObjectNode().put("retryAfterMs", wait.get().toMillis());
        return Optional.of(new JsonRpcError(
                RATE_LIMITED,
                "rate limit exceeded for " + r.method() + (subject.isEmpty() ? "" : " " + subject) + "; retry after "
                        + wait.get().toMillis() + " ms",
                Optional.of(data)));
    }

    /** An upstream's JSON-RPC error keeps its code and data; anything else is -32603 naming the upstream. */
    static JsonRpcError upstreamError(String method, McpGatewayConfig.Upstream upstream, Throwable error) {
        Throwable cause = Outbound.cause(error);
        if (cause instanceof UpstreamClient.UpstreamException ue
                && ue.rpcError().isPresent()) {
            JsonRpcError e = ue.rpcError().get();
            return new JsonRpcError(
                    e.code(),
                    "upstream " + upstream.name() + ": " + FederatedToolSchemas.readable(e.message(), "", ""),
                    e.data());
        }
        String reason =
                cause instanceof UpstreamClient.UpstreamException ? cause.getMessage() : Outbound.describe(cause);
        return JsonRpcError.internalError(method + " via upstream " + upstream.name() + " failed: " + reason);
    }

    static JsonRpcError combine(String method, List<JsonRpcError> failures) {
        if (failures.size() == 1) {
            return failures.get(0);
        }
        return JsonRpcError.internalError(method + " failed on " + failures.size() + " upstreams: "
                + String.join("; ", failures.stream().map(JsonRpcError::message).toList()));
    }

    void record(Context ctx, JsonRpcMessage.Request r, String upstream, String target, String outcome, double seconds) {
        metrics.increment(
                "a6_mcp_requests_total",
                "MCP requests other than tools/call through the gateway, by " + "method, upstream and outcome.",
                Map.of("method", r.method(), "upstream", upstream, "outcome", outcome),
                1);
        if (seconds >= 0) {
            metrics.observe(
                    "a6_mcp_request_duration_seconds",
                    "Duration of upstream requests other than " + "tools/call.",
                    Map.of("method", r.method(), "upstream", upstream),
                    seconds);
        }
        if (!ctx.config().callLog().enabled()) {
            return;
        }
        long millis = Math.max(0, Math.round(seconds * 1000));
        if (ctx.config().callLog().includeArguments()) {
            CALL_LOG.info(
                    "mcp {} target={} upstream={} consumer={} session={} outcome={} latency_ms={} params={}",
                    r.method(),
                    target,
                    upstream,
                    ctx.principal(),
                    ctx.session().sessionId(),
                    outcome,
                    millis,
                    r.params().map(JsonNode::toString).orElse("{}"));
        } else {
            CALL_LOG.info(
                    "mcp {} target={} upstream={} consumer={} session={} outcome={} latency_ms={}",
                    r.method(),
                    target,
                    upstream,
                    ctx.principal(),
                    ctx.session().sessionId(),
                    outcome,
                    millis);
        }
    }

    double seconds(long started) {
        return (ticker.nanoTime() - started) / 1e9;
    }

    static JsonRpcMessage.Response failure(JsonRpcMessage.Request r, JsonRpcError error) {
        return JsonRpcMessage.Response.failure(Optional.of(r.id()), error);
    }

    static CompletionStage<JsonRpcMessage.Response> done(JsonRpcMessage.Response response) {
        return CompletableFuture.completedFuture(response);
    }
}
