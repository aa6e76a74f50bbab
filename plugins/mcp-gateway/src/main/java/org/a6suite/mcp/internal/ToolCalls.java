package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * tools/call: access and rate limits, then the route's REST tool or the upstream that owns the prefixed name; one
 * metric, one histogram sample and one call-log line per call. Upstream calls carry the client's
 * {@code _meta.progressToken} and relay what the upstream sends before the result; a REST call reports its elapsed
 * time as progress every {@code stream.progress_interval_ms} when the client gave a token. A cancelled call closes the
 * REST request or tells the upstream.
 */
public final class ToolCalls {

    private static final Logger CALL_LOG = LoggerFactory.getLogger("org.a6suite.mcp.calls");

    private final ObjectMapper mapper;
    private final RestToolInvoker rest;
    private final UpstreamSessions upstreamSessions;
    private final UpstreamRelay relay;
    private final ToolRateLimiter rateLimiter;
    /** The call series, bound once per tool. */
    private final ToolMeters meters;

    private final Ticker ticker;
    private final Scheduler scheduler;
    private final ToolCatalog catalog;
    /** Federated tools' input schemas, checked at the gateway as REST tools' are. */
    private final FederatedToolSchemas toolSchemas = new FederatedToolSchemas();

    public ToolCalls(
            ObjectMapper mapper,
            RestToolInvoker rest,
            UpstreamSessions upstreamSessions,
            UpstreamRelay relay,
            ToolRateLimiter rateLimiter,
            PluginMetrics metrics,
            Ticker ticker,
            Scheduler scheduler,
            ToolCatalog catalog) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.rest = requireNonNull(rest, "rest");
        this.upstreamSessions = requireNonNull(upstreamSessions, "upstreamSessions");
        this.relay = requireNonNull(relay, "relay");
        this.rateLimiter = requireNonNull(rateLimiter, "rateLimiter");
        this.meters = new ToolMeters(metrics);
        this.ticker = requireNonNull(ticker, "ticker");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.catalog = requireNonNull(catalog, "catalog");
    }

    public CompletionStage<JsonRpcMessage.Response> call(
            RequestScope scope, JsonRpcMessage.Request r, CallControl control) {
        McpGatewayConfig config = scope.config();
        JsonNode params = r.params().orElseGet(mapper::createObjectNode);
        JsonNode nameNode = params.path("name");
        JsonNode argsNode = params.path("arguments");
        if (!params.isObject() || !nameNode.isString()) {
            return done(rpcError(
                    r,
                    JsonRpcError.invalidParams("tools/call: params.name missing (expected: a " + "tool name string)")));
        }
        if (!argsNode.isMissingNode() && !argsNode.isNull() && !argsNode.isObject()) {
            return done(rpcError(r, JsonRpcError.invalidParams("tools/call: arguments must be an object")));
        }
        String name = nameNode.stringValue();
        ObjectNode args = argsNode.isObject() ? (ObjectNode) argsNode : mapper.createObjectNode();
        Optional<JsonNode> meta =
                params.path("_meta").isObject() ? Optional.of(params.path("_meta")) : Optional.empty();
        LocalTool local = config.tools().get(name);
        Optional<McpGatewayConfig.Upstream> upstream = local != null
                ? Optional.empty()
                : FederatedNames.routeName(config.upstreams(), name).map(FederatedNames.Routed::upstream);
        if ((local == null && upstream.isEmpty()) || !config.access().permits(scope.principal(), name)) {
            // A tool the consumer may not use is reported exactly like one that does not exist.
            logCall(scope, name, args, "unknown", 0);
            return done(rpcError(r, JsonRpcError.invalidParams("unknown tool: " + name)));
        }
        Optional<Duration> wait = rateLimiter.tryAcquire(config.rateLimits(), name, scope.principal());
        if (wait.isPresent()) {
            count(name, "rate_limited");
            logCall(scope, name, args, "rate_limited", 0);
            return done(JsonRpcMessage.Response.success(
                    r.id(),
                    CallResults.error(
                            mapper,
                            "rate limit exceeded for " + "tool " + name + "; retry after "
                                    + wait.get().toMillis() + " ms")));
        }
        long started = ticker.nanoTime();
        CompletionStage<ObjectNode> result;
        if (local != null) {
            List<String> violations = JsonSchemas.violations(local.inputValidator(), args);
            if (!violations.isEmpty()) {
                result = CompletableFuture.completedFuture(CallResults.error(
                        mapper, "invalid arguments for " + name + ": " + String.join("; ", violations)));
            } else {
                McpGatewayConfig.Backend backend = config.backends().get(local.backend());
                CompletableFuture<ObjectNode> call =
                        rest.call(local, backend, args, config.maxResultBytes()).toCompletableFuture();
                control.onCancel(() -> call.cancel(true));
                if (scope.outlet() != Outlet.NONE) {
                    meta.map(m -> m.path("progressToken"))
                            .filter(t -> t.isString() || t.isIntegralNumber())
                            .ifPresent(token -> reportProgress(scope, token, backend, call, started));
                }
                result = call;
            }
        } else {
            McpGatewayConfig.Upstream target = upstream.get();
            String own = name.substring(target.prefix().length());
            result = toolSchemas
                    .violations(target, own, args, () -> catalog.upstreamTools(scope, target))
                    .thenCompose(violations -> violations.isEmpty()
                            ? forward(scope, target, own, args, meta, control)
                            : CompletableFuture.completedFuture(CallResults.error(
                                    mapper, "invalid arguments for " + name + ": " + String.join("; ", violations))));
        }
        String upstreamTool =
                upstream.map(u -> name.substring(u.prefix().length())).orElse("");
        return result.handle((res, error) -> {
            double seconds = (ticker.nanoTime() - started) / 1e9;
            if (error != null) {
                Throwable cause = Outbound.cause(error);
                if (cause instanceof UpstreamClient.UpstreamException ue
                        && ue.rpcError().isPresent()
                        && ue.rpcError().get().code() == JsonRpcError.INVALID_PARAMS) {
                    record(scope, name, args, "invalid_params", seconds);
                    return rpcError(
                            r,
                            JsonRpcError.invalidParams(FederatedToolSchemas.readable(
                                    ue.rpcError().get().message(), upstreamTool, name)));
                }
                record(scope, name, args, control.cancelled() ? "cancelled" : "error", seconds);
                return JsonRpcMessage.Response.success(
                        r.id(),
                        CallResults.error(
                                mapper,
                                cause instanceof UpstreamClient.UpstreamException
                                        ? FederatedToolSchemas.readable(cause.getMessage(), upstreamTool, name)
                                        : "tool " + name + " failed (" + Outbound.describe(cause) + ")"));
            }
            boolean isError = res.path("isError").asBoolean(false);
            record(scope, name, args, isError ? "error" : "ok", seconds);
            return JsonRpcMessage.Response.success(r.id(), res);
        });
    }

    /** Every interval until the REST call ends: {@code notifications/progress} with the seconds elapsed. */
    private void reportProgress(
            RequestScope scope,
            JsonNode token,
            McpGatewayConfig.Backend backend,
            CompletableFuture<ObjectNode> call,
            long started) {
        Duration every = scope.config().stream().progressInterval();
        Runnable tick = new Runnable() {
            @Override
            public void run() {
                if (call.isDone()) {
                    return;
                }
                double elapsed = Math.round((ticker.nanoTime() - started) / 1e6) / 1000.0;
                ObjectNode params = mapper.createObjectNode();
                params.set("progressToken", token);
                params.put("progress", elapsed);
                params.put("message", "waiting for backend " + backend.name() + ": " + elapsed + " s");
                scope.outlet().send(new JsonRpcMessage.Notification("notifications/progress", Optional.of(params)));
                Scheduler.Task next = scheduler.schedule(this, every);
                call.whenComplete((v, e) -> next.cancel());
            }
        };
        Scheduler.Task first = scheduler.schedule(tick, every);
        call.whenComplete((v, e) -> first.cancel());
    }

    private CompletionStage<ObjectNode> forward(
            RequestScope scope,
            McpGatewayConfig.Upstream upstream,
            String toolName,
            ObjectNode args,
            Optional<JsonNode> meta,
            CallControl control) {
        ObjectNode params = mapper.createObjectNode();
        params.put("name", toolName);
        params.set("arguments", args);
        // The progress token is the client's: upstream progress comes back under it, unchanged.
        meta.ifPresent(m -> params.set("_meta", m));
        return upstreamSessions
                .with(
                        scope.config(),
                        scope.session(),
                        upstream,
                        s -> upstreamSessions
                                .client()
                                .request(
                                        upstream,
                                        s,
                                        "tools/call",
                                        params,
                                        scope.config().maxResultBytes(),
                                        relay.forCall(scope, upstream, s, control)))
                .thenApply(result -> {
                    if (!result.isObject() || !result.path("content").isArray()) {
                        return CallResults.error(
                                mapper, "upstream " + upstream.name() + " sent a result without content");
                    }
                    // resource_link and embedded resources name the upstream's URIs: give the client ours.
                    result.path("content").forEach(c -> FederatedNames.rewriteContent(upstream, c));
                    return (ObjectNode) result;
                });
    }

    private void record(RequestScope scope, String tool, ObjectNode args, String outcome, double seconds) {
        count(tool, outcome);
        meters.observe(tool, seconds);
        logCall(scope, tool, args, outcome, seconds);
    }

    private void count(String tool, String outcome) {
        meters.count(tool, outcome);
    }

    private void logCall(RequestScope scope, String tool, ObjectNode args, String outcome, double seconds) {
        if (!scope.config().callLog().enabled() || !CALL_LOG.isInfoEnabled()) {
            return;
        }
        // The line built here, once, rather than by the logger from a format and an argument array.
        StringBuilder line = new StringBuilder(160)
                .append("mcp tools/call tool=")
                .append(tool)
                .append(" consumer=")
                .append(scope.principal())
                .append(" session=")
                .append(scope.session().sessionId())
                .append(" outcome=")
                .append(outcome)
                .append(" latency_ms=")
                .append(Math.round(seconds * 1000));
        if (scope.config().callLog().includeArguments()) {
            line.append(" arguments=").append(args);
        }
        CALL_LOG.info(line.toString());
    }

    private static JsonRpcMessage.Response rpcError(JsonRpcMessage.Request r, JsonRpcError error) {
        return JsonRpcMessage.Response.failure(Optional.of(r.id()), error);
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
