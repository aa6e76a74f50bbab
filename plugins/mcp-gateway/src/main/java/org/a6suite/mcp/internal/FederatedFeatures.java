package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;
import static org.a6suite.mcp.internal.FederatedCalls.combine;
import static org.a6suite.mcp.internal.FederatedCalls.done;
import static org.a6suite.mcp.internal.FederatedCalls.failure;
import static org.a6suite.mcp.internal.FederatedCalls.upstreamError;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.resilience.Ticker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server features of federated MCP servers other than tools: resources, resource templates, subscriptions,
 * prompts, completions and logging. Each request becomes one upstream request per upstream it concerns, through the
 * client session's upstream sessions ({@link UpstreamSessions}), with names and URIs mapped by
 * {@link FederatedNames}, and the route's access rules, rate limits, metrics and call log applied per method and
 * upstream.
 *
 * <p>Answers are JSON-RPC responses, not HTTP decisions: the transport that writes them (a whole JSON body today, an
 * SSE stream on the lane later) stays the caller's business.
 *
 * <ul>
 *   <li>Lists ({@code resources/list}, {@code resources/templates/list}, {@code prompts/list}) walk the upstreams that
 *       offer the feature in configuration order, one upstream page per client page; the gateway's cursor names the
 *       upstream and carries its cursor ({@link FederatedLists#encodeCursor}). Pages emptied by access rules are skipped. An
 *       upstream that fails is left out (logged); only when nothing could be listed does the client get its error.
 *   <li>Targeted methods ({@code resources/read}, {@code resources/subscribe}, {@code resources/unsubscribe},
 *       {@code prompts/get}, {@code completion/complete}) route by the prefixed URI or name; one hidden by the access
 *       rules is answered exactly like one that does not exist.
 *   <li>{@code logging/setLevel} goes to every upstream that offers logging.
 * </ul>
 *
 * The lists are {@link FederatedLists}, the targeted methods {@link FederatedTargets}, what they share (offering
 * upstreams, one upstream request, rate limits, metrics and call log) {@link FederatedCalls}; this class declares the
 * capabilities, dispatches, and sets log levels.
 *
 * <p>A targeted method no upstream offers is {@code -32601}; an upstream's JSON-RPC error comes back with its code, its message
 * prefixed with the upstream's name; a transport failure is {@code -32603} naming the upstream and the reason.
 */
public final class FederatedFeatures {

    /** MCP's code for an unknown resource URI. */
    public static final int RESOURCE_NOT_FOUND = -32002;
    /** A rate limit refused the request: a server-defined code of JSON-RPC's reserved range. */
    public static final int RATE_LIMITED = -32000;

    private static final List<String> LEVELS =
            List.of("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency");
    private static final Set<String> METHODS = Set.of(
            "resources/list",
            "resources/templates/list",
            "resources/read",
            "resources/subscribe",
            "resources/unsubscribe",
            "prompts/list",
            "prompts/get",
            "completion/complete",
            "logging/setLevel");

    private final ObjectMapper mapper;
    private final Ticker ticker;
    private final FederatedCalls calls;
    private final FederatedLists lists;
    private final FederatedTargets targets;

    /** Upstream features only: the route's own {@code resources} and {@code prompts} are not served. */
    public FederatedFeatures(
            ObjectMapper mapper,
            UpstreamSessions sessions,
            ToolRateLimiter rateLimiter,
            PluginMetrics metrics,
            Ticker ticker) {
        this(mapper, sessions, rateLimiter, metrics, ticker, Optional.empty());
    }

    /** Upstream features merged with the route's REST resources and prompts, read through {@code restInvoker}. */
    public FederatedFeatures(
            ObjectMapper mapper,
            UpstreamSessions sessions,
            ToolRateLimiter rateLimiter,
            PluginMetrics metrics,
            Ticker ticker,
            RestToolInvoker restInvoker) {
        this(mapper, sessions, rateLimiter, metrics, ticker, Optional.of(new RestFeatures(mapper, restInvoker)));
    }

    private FederatedFeatures(
            ObjectMapper mapper,
            UpstreamSessions sessions,
            ToolRateLimiter rateLimiter,
            PluginMetrics metrics,
            Ticker ticker,
            Optional<RestFeatures> rest) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.ticker = requireNonNull(ticker, "ticker");
        this.calls = new FederatedCalls(mapper, sessions, rateLimiter, metrics, ticker, rest);
        this.lists = new FederatedLists(calls);
        this.targets = new FederatedTargets(calls);
    }

    /** One request's facts: the route, the consumer and the opened client session. */
    public record Context(McpGatewayConfig config, String principal, SessionContext session) {
        public Context {
            requireNonNull(config, "config");
            requireNonNull(principal, "principal");
            requireNonNull(session, "session");
        }
    }

    /** Whether {@link #handle} serves {@code method}. */
    public static boolean serves(String method) {
        return METHODS.contains(method);
    }

    /**
     * The {@code capabilities} of the gateway's InitializeResult: tools always, every other feature when some
     * upstream offers it. {@code listChanged} needs notifications relayed to the client, so it is promised only when
     * {@code relaysNotifications} (the streaming lane); on the JSON path it is {@code false}.
     */
    public static ObjectNode capabilities(
            ObjectMapper mapper, Collection<Set<ServerFeature>> upstreams, boolean relaysNotifications) {
        Set<ServerFeature> offered = EnumSet.noneOf(ServerFeature.class);
        upstreams.forEach(offered::addAll);
        ObjectNode caps = mapper.createObjectNode();
        caps.putObject("tools")
                .put("listChanged", relaysNotifications && offered.contains(ServerFeature.TOOLS_LIST_CHANGED));
        if (offered.contains(ServerFeature.RESOURCES)) {
            caps.putObject("resources")
                    .put("subscribe", offered.contains(ServerFeature.RESOURCES_SUBSCRIBE))
                    .put("listChanged", relaysNotifications && offered.contains(ServerFeature.RESOURCES_LIST_CHANGED));
        }
        if (offered.contains(ServerFeature.PROMPTS)) {
            caps.putObject("prompts")
                    .put("listChanged", relaysNotifications && offered.contains(ServerFeature.PROMPTS_LIST_CHANGED));
        }
        if (offered.contains(ServerFeature.COMPLETIONS)) {
            caps.putObject("completions");
        }
        if (offered.contains(ServerFeature.LOGGING)) {
            caps.putObject("logging");
        }
        return caps;
    }

    /**
     * {@link #capabilities(ObjectMapper, Collection, boolean)} plus the route's own REST {@code resources} and
     * {@code prompts}: a route that declares them offers {@code resources} (without subscriptions, which REST cannot
     * notify) and {@code prompts} even when no upstream does.
     */
    public static ObjectNode capabilities(
            ObjectMapper mapper,
            McpGatewayConfig config,
            Collection<Set<ServerFeature>> upstreams,
            boolean relaysNotifications) {
        ObjectNode caps = capabilities(mapper, upstreams, relaysNotifications);
        if (!config.resources().isEmpty() && !caps.has("resources")) {
            caps.putObject("resources").put("subscribe", false).put("listChanged", false);
        }
        if (!config.prompts().isEmpty() && !caps.has("prompts")) {
            caps.putObject("prompts").put("listChanged", false);
        }
        if ((!config.resources().isEmpty() || !config.prompts().isEmpty()) && !caps.has("completions")) {
            caps.putObject("completions"); // REST templates and prompts answer with the empty completion
        }
        return caps;
    }

    public CompletionStage<JsonRpcMessage.Response> handle(Context ctx, JsonRpcMessage.Request r) {
        JsonNode params = r.params().orElse(mapper.createObjectNode());
        if (!params.isObject()) {
            return done(failure(r, JsonRpcError.invalidParams(r.method() + ": params must be an object")));
        }
        ObjectNode p = (ObjectNode) params;
        return switch (r.method()) {
            case "resources/list" -> lists.list(ctx, r, p, FederatedLists.Catalog.RESOURCES);
            case "resources/templates/list" -> lists.list(ctx, r, p, FederatedLists.Catalog.TEMPLATES);
            case "prompts/list" -> lists.list(ctx, r, p, FederatedLists.Catalog.PROMPTS);
            case "resources/read" ->
                targets.byUri(
                        ctx,
                        r,
                        p,
                        ServerFeature.RESOURCES,
                        (u, result) -> result.path("contents").forEach(c -> FederatedNames.prefixUri(u, c)));
            case "resources/subscribe", "resources/unsubscribe" ->
                targets.byUri(ctx, r, p, ServerFeature.RESOURCES_SUBSCRIBE, (u, result) -> {});
            case "prompts/get" -> targets.prompt(ctx, r, p);
            case "completion/complete" -> targets.complete(ctx, r, p);
            case "logging/setLevel" -> setLevel(ctx, r, p);
            default -> done(failure(r, JsonRpcError.methodNotFound(r.method())));
        };
    }

    // ---------------------------------------------------------------- logging/setLevel

    private CompletionStage<JsonRpcMessage.Response> setLevel(
            Context ctx, JsonRpcMessage.Request r, ObjectNode params) {
        String level = params.path("level").asString("");
        if (!LEVELS.contains(level)) {
            return done(failure(
                    r,
                    JsonRpcError.invalidParams(
                            "logging/setLevel: level " + params.path("level") + " (expected: one of " + LEVELS + ")")));
        }
        List<McpGatewayConfig.Upstream> offering = calls.offering(ctx, ServerFeature.LOGGING);
        if (offering.isEmpty()) {
            // Nothing logs to this client, so every level is already honoured: accept it, as a server would.
            return done(JsonRpcMessage.Response.success(r.id(), mapper.createObjectNode()));
        }
        Optional<JsonRpcError> limited = calls.rateLimit(ctx, r, "");
        if (limited.isPresent()) {
            return done(failure(r, limited.get()));
        }
        List<CompletableFuture<Optional<JsonRpcError>>> answers = new ArrayList<>();
        for (McpGatewayConfig.Upstream upstream : offering) {
            long started = ticker.nanoTime();
            answers.add(calls.ask(ctx, upstream, ServerFeature.LOGGING, r.method(), params.deepCopy())
                    .handle((result, error) -> {
                        double seconds = calls.seconds(started);
                        if (error != null) {
                            calls.record(ctx, r, upstream.name(), level, "error", seconds);
                            return Optional.of(upstreamError(r.method(), upstream, error));
                        }
                        calls.record(
                                ctx, r, upstream.name(), level, result.isPresent() ? "ok" : "unsupported", seconds);
                        return Optional.<JsonRpcError>empty();
                    })
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    List<JsonRpcError> failures = answers.stream()
                            .map(CompletableFuture::join)
                            .flatMap(Optional::stream)
                            .toList();
                    return failures.isEmpty()
                            ? JsonRpcMessage.Response.success(r.id(), mapper.createObjectNode())
                            : failure(r, combine(r.method(), failures));
                });
    }
}
