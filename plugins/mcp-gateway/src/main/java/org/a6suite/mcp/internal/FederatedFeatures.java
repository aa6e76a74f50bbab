package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
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
 *       upstream and carries its cursor ({@link #encodeCursor}). Pages emptied by access rules are skipped. An
 *       upstream that fails is left out (logged); only when nothing could be listed does the client get its error.
 *   <li>Targeted methods ({@code resources/read}, {@code resources/subscribe}, {@code resources/unsubscribe},
 *       {@code prompts/get}, {@code completion/complete}) route by the prefixed URI or name; one hidden by the access
 *       rules is answered exactly like one that does not exist.
 *   <li>{@code logging/setLevel} goes to every upstream that offers logging.
 * </ul>
 *
 * A method no upstream offers is {@code -32601}; an upstream's JSON-RPC error comes back with its code, its message
 * prefixed with the upstream's name; a transport failure is {@code -32603} naming the upstream and the reason.
 */
public final class FederatedFeatures {

    /** MCP's code for an unknown resource URI. */
    public static final int RESOURCE_NOT_FOUND = -32002;
    /** A rate limit refused the request: a server-defined code of JSON-RPC's reserved range. */
    public static final int RATE_LIMITED = -32000;

    private static final Logger LOG = LoggerFactory.getLogger(FederatedFeatures.class);
    private static final Logger CALL_LOG = LoggerFactory.getLogger("org.a6suite.mcp.calls");
    /** Upstream pages fetched at most for one client page when access rules empty them. */
    private static final int MAX_PAGES_PER_REQUEST = 20;

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
    private final UpstreamSessions sessions;
    private final ToolRateLimiter rateLimiter;
    private final PluginMetrics metrics;
    private final Ticker ticker;
    /** The route's REST resources and prompts; empty when constructed without a REST invoker (upstreams only). */
    private final Optional<RestFeatures> rest;

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
        this.rest = rest;
        this.mapper = requireNonNull(mapper, "mapper");
        this.sessions = requireNonNull(sessions, "sessions");
        this.rateLimiter = requireNonNull(rateLimiter, "rateLimiter");
        this.metrics = requireNonNull(metrics, "metrics");
        this.ticker = requireNonNull(ticker, "ticker");
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
            case "resources/list" -> list(ctx, r, p, Catalog.RESOURCES);
            case "resources/templates/list" -> list(ctx, r, p, Catalog.TEMPLATES);
            case "prompts/list" -> list(ctx, r, p, Catalog.PROMPTS);
            case "resources/read" ->
                byUri(
                        ctx,
                        r,
                        p,
                        ServerFeature.RESOURCES,
                        (u, result) -> result.path("contents").forEach(c -> FederatedNames.prefixUri(u, c)));
            case "resources/subscribe", "resources/unsubscribe" ->
                byUri(ctx, r, p, ServerFeature.RESOURCES_SUBSCRIBE, (u, result) -> {});
            case "prompts/get" -> prompt(ctx, r, p);
            case "completion/complete" -> complete(ctx, r, p);
            case "logging/setLevel" -> setLevel(ctx, r, p);
            default -> done(failure(r, JsonRpcError.methodNotFound(r.method())));
        };
    }

    // ---------------------------------------------------------------- lists

    /** A list method: its result member, and the member that names an item (prefixed, and checked by access). */
    private enum Catalog {
        RESOURCES("resources", "uri", ServerFeature.RESOURCES),
        TEMPLATES("resourceTemplates", "uriTemplate", ServerFeature.RESOURCES),
        PROMPTS("prompts", "name", ServerFeature.PROMPTS);

        final String member;
        final String key;
        final ServerFeature feature;

        Catalog(String member, String key, ServerFeature feature) {
            this.member = member;
            this.key = key;
            this.feature = feature;
        }

        /** The route's own items of this list (REST resources, templates, prompts). */
        List<ObjectNode> local(ObjectMapper mapper, McpGatewayConfig config) {
            return switch (this) {
                case RESOURCES -> RestFeatures.resources(mapper, config);
                case TEMPLATES -> RestFeatures.templates(mapper, config);
                case PROMPTS -> RestFeatures.prompts(mapper, config);
            };
        }

        /** The client's copy of an upstream item, or empty when it lacks its key. */
        Optional<ObjectNode> federate(McpGatewayConfig.Upstream upstream, JsonNode item) {
            if (!item.isObject() || !item.path(key).isString()) {
                return Optional.empty();
            }
            ObjectNode copy = (ObjectNode) item.deepCopy();
            String own = item.path(key).stringValue();
            copy.put(key, this == PROMPTS ? FederatedNames.name(upstream, own) : FederatedNames.uri(upstream, own));
            if (this != PROMPTS && item.path("name").isString()) {
                copy.put("name", FederatedNames.name(upstream, item.path("name").stringValue()));
            }
            return Optional.of(copy);
        }
    }

    /** Where a list continues: an upstream (by index among those offering the feature) and its cursor. */
    private record Position(int upstream, Optional<String> cursor) {}

    /** Accumulates one client page. */
    private record Page(ArrayNode items, List<JsonRpcError> failures) {}

    private CompletionStage<JsonRpcMessage.Response> list(
            Context ctx, JsonRpcMessage.Request r, ObjectNode params, Catalog catalog) {
        JsonNode cursorNode = params.path("cursor");
        if (!cursorNode.isMissingNode() && !cursorNode.isNull() && !cursorNode.isString()) {
            return done(failure(r, JsonRpcError.invalidParams(r.method() + ": cursor must be a string")));
        }
        List<McpGatewayConfig.Upstream> offering = offering(ctx, catalog.feature);
        List<ObjectNode> local = rest.isPresent() ? catalog.local(mapper, ctx.config()) : List.of();
        if (offering.isEmpty() && local.isEmpty()) {
            if (cursorNode.isString()) {
                return done(failure(
                        r,
                        JsonRpcError.invalidParams(
                                r.method() + ": invalid or stale cursor; list again without a cursor")));
            }
            // Nothing offers the list: it is empty. Clients that call list methods without checking capabilities
            // (the conformance suite does) get an honest empty page instead of an error.
            ObjectNode empty = mapper.createObjectNode();
            empty.putArray(catalog.member);
            return done(JsonRpcMessage.Response.success(r.id(), empty));
        }
        Optional<JsonRpcError> limited = rateLimit(ctx, r, "");
        if (limited.isPresent()) {
            return done(failure(r, limited.get()));
        }
        if (!cursorNode.isString() && !local.isEmpty()) {
            // The route's own items come first, on the first page, ahead of the first upstream's first page.
            ObjectNode result = mapper.createObjectNode();
            ArrayNode items = result.putArray(catalog.member);
            local.stream()
                    .filter(i -> ctx.config()
                            .access()
                            .permits(ctx.principal(), i.path(catalog.key).stringValue()))
                    .forEach(items::add);
            record(ctx, r, "rest", "", "ok", 0);
            if (offering.isEmpty()) {
                return done(JsonRpcMessage.Response.success(r.id(), result));
            }
            Page page = new Page(items, new ArrayList<>());
            return fill(ctx, r, catalog, offering, new Position(0, Optional.empty()), page, MAX_PAGES_PER_REQUEST - 1)
                    .thenApply(next -> {
                        next.ifPresent(n -> result.put(
                                "nextCursor",
                                encodeCursor(offering.get(n.upstream()).name(), n.cursor())));
                        return JsonRpcMessage.Response.success(r.id(), result);
                    });
        }
        if (offering.isEmpty()) {
            return done(failure(
                    r,
                    JsonRpcError.invalidParams(
                            r.method() + ": invalid or stale cursor; list again " + "without a cursor")));
        }
        Position start = new Position(0, Optional.empty());
        if (cursorNode.isString()) {
            Optional<Position> decoded = decodeCursor(cursorNode.stringValue(), offering);
            if (decoded.isEmpty()) {
                return done(failure(
                        r,
                        JsonRpcError.invalidParams(
                                r.method() + ": invalid or stale cursor; list " + "again without a cursor")));
            }
            start = decoded.get();
        }
        ObjectNode result = mapper.createObjectNode();
        Page page = new Page(result.putArray(catalog.member), new ArrayList<>());
        return fill(ctx, r, catalog, offering, start, page, 0).thenApply(next -> {
            if (page.items().isEmpty() && next.isEmpty() && !page.failures().isEmpty()) {
                return failure(r, combine(r.method(), page.failures()));
            }
            next.ifPresent(n -> result.put(
                    "nextCursor", encodeCursor(offering.get(n.upstream()).name(), n.cursor())));
            return JsonRpcMessage.Response.success(r.id(), result);
        });
    }

    /** Fetches the upstream page at {@code at} into {@code page}; moves on while pages come back empty. */
    private CompletionStage<Optional<Position>> fill(
            Context ctx,
            JsonRpcMessage.Request r,
            Catalog catalog,
            List<McpGatewayConfig.Upstream> offering,
            Position at,
            Page page,
            int fetched) {
        McpGatewayConfig.Upstream upstream = offering.get(at.upstream());
        ObjectNode params = mapper.createObjectNode();
        at.cursor().ifPresent(c -> params.put("cursor", c));
        long started = ticker.nanoTime();
        return ask(ctx, upstream, catalog.feature, r.method(), params)
                .handle((result, error) -> {
                    double seconds = seconds(started);
                    Optional<String> upstreamNext = Optional.empty();
                    if (error != null) {
                        JsonRpcError e = upstreamError(r.method(), upstream, error);
                        if (e.code() == JsonRpcError.METHOD_NOT_FOUND) {
                            record(ctx, r, upstream.name(), "", "unsupported", seconds);
                        } else {
                            LOG.warn(
                                    "mcp-gateway: {} from upstream {} failed ({}); its items are left out",
                                    r.method(),
                                    upstream.name(),
                                    e.message());
                            page.failures().add(e);
                            record(ctx, r, upstream.name(), "", "error", seconds);
                        }
                    } else if (result.isEmpty()) {
                        record(ctx, r, upstream.name(), "", "unsupported", seconds);
                    } else {
                        for (JsonNode item : result.get().path(catalog.member)) {
                            catalog.federate(upstream, item)
                                    .filter(i -> ctx.config()
                                            .access()
                                            .permits(
                                                    ctx.principal(),
                                                    i.path(catalog.key).stringValue()))
                                    .ifPresent(page.items()::add);
                        }
                        upstreamNext = Optional.of(
                                        result.get().path("nextCursor").asString(""))
                                .filter(c -> !c.isEmpty());
                        record(ctx, r, upstream.name(), "", "ok", seconds);
                    }
                    if (upstreamNext.isPresent()) {
                        return Optional.of(new Position(at.upstream(), upstreamNext));
                    }
                    return at.upstream() + 1 < offering.size()
                            ? Optional.of(new Position(at.upstream() + 1, Optional.<String>empty()))
                            : Optional.<Position>empty();
                })
                .thenCompose(next -> {
                    if (next.isPresent() && page.items().isEmpty() && fetched + 1 < MAX_PAGES_PER_REQUEST) {
                        return fill(ctx, r, catalog, offering, next.get(), page, fetched + 1);
                    }
                    return CompletableFuture.completedFuture(next);
                });
    }

    /**
     * The gateway's list cursor: {@code base64url("u1:" + upstream name + ":" + upstream cursor)}; an empty upstream
     * cursor means that upstream's first page.
     */
    static String encodeCursor(String upstream, Optional<String> cursor) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("u1:" + upstream + ":" + cursor.orElse("")).getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<Position> decodeCursor(String cursor, List<McpGatewayConfig.Upstream> offering) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 3);
            if (parts.length != 3 || !parts[0].equals("u1")) {
                return Optional.empty();
            }
            for (int i = 0; i < offering.size(); i++) {
                if (offering.get(i).name().equals(parts[1])) {
                    return Optional.of(new Position(i, Optional.of(parts[2]).filter(c -> !c.isEmpty())));
                }
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- targeted methods

    /** A request routed to one upstream. */
    private record Target(
            ServerFeature feature,
            String subject,
            Optional<FederatedNames.Routed> routed,
            Function<FederatedNames.Routed, ObjectNode> forward,
            JsonRpcError notFound,
            Optional<JsonNode> whenUnsupported,
            BiConsumer<McpGatewayConfig.Upstream, JsonNode> rewrite) {}

    private CompletionStage<JsonRpcMessage.Response> byUri(
            Context ctx,
            JsonRpcMessage.Request r,
            ObjectNode params,
            ServerFeature feature,
            BiConsumer<McpGatewayConfig.Upstream, JsonNode> rewrite) {
        JsonNode uri = params.path("uri");
        if (!uri.isString() || uri.stringValue().isEmpty()) {
            return done(failure(
                    r,
                    JsonRpcError.invalidParams(
                            r.method() + ": params.uri missing (expected: a " + "resource URI string)")));
        }
        String subject = uri.stringValue();
        ObjectNode data = mapper.createObjectNode().put("uri", subject);
        Optional<RestFeatures.Match> local = rest.flatMap(x -> RestFeatures.find(ctx.config(), subject));
        if (local.isPresent()) {
            return readLocal(
                    ctx,
                    r,
                    local.get(),
                    new JsonRpcError(RESOURCE_NOT_FOUND, "resource not found: " + subject, Optional.of(data)));
        }
        return routed(
                ctx,
                r,
                new Target(
                        feature,
                        subject,
                        FederatedNames.routeUri(ctx.config().upstreams(), subject),
                        routed -> params.deepCopy().put("uri", routed.local()),
                        new JsonRpcError(RESOURCE_NOT_FOUND, "resource not found: " + subject, Optional.of(data)),
                        Optional.empty(),
                        rewrite));
    }

    private CompletionStage<JsonRpcMessage.Response> prompt(Context ctx, JsonRpcMessage.Request r, ObjectNode params) {
        JsonNode name = params.path("name");
        if (!name.isString() || name.stringValue().isEmpty()) {
            return done(failure(
                    r,
                    JsonRpcError.invalidParams(
                            "prompts/get: params.name missing (expected: a " + "prompt name string)")));
        }
        JsonNode arguments = params.path("arguments");
        if (!arguments.isMissingNode() && !arguments.isNull() && !arguments.isObject()) {
            return done(failure(r, JsonRpcError.invalidParams("prompts/get: arguments must be an object")));
        }
        String subject = name.stringValue();
        Optional<RestPrompt> local = rest.flatMap(x -> RestFeatures.prompt(ctx.config(), subject));
        if (local.isPresent()) {
            ObjectNode args = arguments.isObject() ? (ObjectNode) arguments : mapper.createObjectNode();
            return local(
                    ctx,
                    r,
                    subject,
                    JsonRpcError.invalidParams("unknown prompt: " + subject),
                    () -> rest.get()
                            .get(
                                    ctx.config(),
                                    local.get(),
                                    args,
                                    uri -> ctx.config().access().permits(ctx.principal(), uri)));
        }
        return routed(
                ctx,
                r,
                new Target(
                        ServerFeature.PROMPTS,
                        subject,
                        FederatedNames.routeName(ctx.config().upstreams(), subject),
                        routed -> params.deepCopy().put("name", routed.local()),
                        JsonRpcError.invalidParams("unknown prompt: " + subject),
                        Optional.empty(),
                        (u, result) -> result.path("messages")
                                .forEach(m -> FederatedNames.rewriteContent(u, m.path("content")))));
    }

    private CompletionStage<JsonRpcMessage.Response> complete(
            Context ctx, JsonRpcMessage.Request r, ObjectNode params) {
        JsonNode ref = params.path("ref");
        String type = ref.path("type").asString("");
        String member = switch (type) {
            case "ref/prompt" -> "name";
            case "ref/resource" -> "uri";
            default -> "";
        };
        if (member.isEmpty()
                || !ref.path(member).isString()
                || !params.path("argument").isObject()) {
            return done(failure(
                    r,
                    JsonRpcError.invalidParams("completion/complete: params need ref {type: "
                            + "ref/prompt, name} or {type: ref/resource, uri} and an argument object")));
        }
        String subject = ref.path(member).stringValue();
        // The route's own prompts and templates offer no completions: the spec's empty answer.
        ObjectNode none = mapper.createObjectNode();
        none.putObject("completion").put("hasMore", false).putArray("values");
        boolean isLocal = rest.isPresent()
                && (member.equals("name")
                        ? RestFeatures.prompt(ctx.config(), subject).isPresent()
                        : ctx.config().resources().stream()
                                .anyMatch(x -> x.key().equals(subject)));
        if (isLocal) {
            return local(
                    ctx,
                    r,
                    subject,
                    JsonRpcError.invalidParams("completion/complete: unknown " + type + ": " + subject),
                    () -> CompletableFuture.completedFuture(none));
        }
        Optional<FederatedNames.Routed> routed = member.equals("name")
                ? FederatedNames.routeName(ctx.config().upstreams(), subject)
                : FederatedNames.routeUri(ctx.config().upstreams(), subject);
        // An upstream that offers no completions has none for this argument: the spec's empty answer, not an error.
        return routed(
                ctx,
                r,
                new Target(
                        ServerFeature.COMPLETIONS,
                        subject,
                        routed,
                        to -> {
                            ObjectNode copy = params.deepCopy();
                            ((ObjectNode) copy.get("ref")).put(member, to.local());
                            return copy;
                        },
                        JsonRpcError.invalidParams("completion/complete: unknown " + type + ": " + subject),
                        Optional.of(none),
                        (u, result) -> {}));
    }

    private CompletionStage<JsonRpcMessage.Response> routed(Context ctx, JsonRpcMessage.Request r, Target target) {
        if (offering(ctx, target.feature()).isEmpty()) {
            return done(failure(r, JsonRpcError.methodNotFound(r.method())));
        }
        if (target.routed().isEmpty() || !ctx.config().access().permits(ctx.principal(), target.subject())) {
            // A target the consumer may not use is reported exactly like one that does not exist.
            record(ctx, r, "none", target.subject(), "not_found", -1);
            return done(failure(r, target.notFound()));
        }
        Optional<JsonRpcError> limited = rateLimit(ctx, r, target.subject());
        if (limited.isPresent()) {
            return done(failure(r, limited.get()));
        }
        FederatedNames.Routed routed = target.routed().get();
        McpGatewayConfig.Upstream upstream = routed.upstream();
        long started = ticker.nanoTime();
        return ask(ctx, upstream, target.feature(), r.method(), target.forward().apply(routed))
                .handle((result, error) -> {
                    double seconds = seconds(started);
                    if (error != null) {
                        JsonRpcError e = upstreamError(r.method(), upstream, error);
                        record(
                                ctx,
                                r,
                                upstream.name(),
                                target.subject(),
                                switch (e.code()) {
                                    case JsonRpcError.INVALID_PARAMS -> "invalid_params";
                                    case RESOURCE_NOT_FOUND -> "not_found";
                                    default -> "error";
                                },
                                seconds);
                        return failure(r, e);
                    }
                    if (result.isEmpty()) {
                        record(ctx, r, upstream.name(), target.subject(), "unsupported", seconds);
                        return target.whenUnsupported()
                                .map(a -> JsonRpcMessage.Response.success(r.id(), a))
                                .orElseGet(() -> failure(r, target.notFound()));
                    }
                    if (!result.get().isObject()) {
                        record(ctx, r, upstream.name(), target.subject(), "error", seconds);
                        return failure(
                                r,
                                JsonRpcError.internalError(r.method() + " via upstream " + upstream.name()
                                        + " failed: the result is not an object"));
                    }
                    target.rewrite().accept(upstream, result.get());
                    record(ctx, r, upstream.name(), target.subject(), "ok", seconds);
                    return JsonRpcMessage.Response.success(r.id(), result.get());
                });
    }

    // ---------------------------------------------------------------- the route's own resources and prompts

    private CompletionStage<JsonRpcMessage.Response> readLocal(
            Context ctx, JsonRpcMessage.Request r, RestFeatures.Match match, JsonRpcError notFound) {
        if (!r.method().equals("resources/read")) {
            // Allowed to know it exists (access below would hide it), but REST sends no update notifications.
            if (!ctx.config().access().permits(ctx.principal(), match.uri())) {
                record(ctx, r, "none", match.uri(), "not_found", -1);
                return done(failure(r, notFound));
            }
            record(ctx, r, "rest", match.uri(), "unsupported", -1);
            return done(failure(
                    r,
                    JsonRpcError.invalidParams(r.method() + ": " + match.uri() + " is a REST resource, "
                            + "which sends no update notifications")));
        }
        return local(ctx, r, match.uri(), notFound, () -> rest.get().read(ctx.config(), match));
    }

    /**
     * Serves a request for one of the route's own resources or prompts with the same governance as an upstream's:
     * access (a hidden target answers like an unknown one), rate limit, metrics and call log ({@code upstream=rest}).
     */
    private CompletionStage<JsonRpcMessage.Response> local(
            Context ctx,
            JsonRpcMessage.Request r,
            String subject,
            JsonRpcError notFound,
            java.util.function.Supplier<CompletionStage<ObjectNode>> action) {
        if (!ctx.config().access().permits(ctx.principal(), subject)) {
            record(ctx, r, "none", subject, "not_found", -1);
            return done(failure(r, notFound));
        }
        Optional<JsonRpcError> limited = rateLimit(ctx, r, subject);
        if (limited.isPresent()) {
            return done(failure(r, limited.get()));
        }
        long started = ticker.nanoTime();
        return action.get().handle((result, error) -> {
            double seconds = seconds(started);
            if (error != null) {
                Throwable cause = Outbound.cause(error);
                JsonRpcError e = cause instanceof RestFeatures.Failure f
                        ? f.error()
                        : JsonRpcError.internalError(r.method() + " failed: " + Outbound.describe(cause));
                record(
                        ctx,
                        r,
                        "rest",
                        subject,
                        switch (e.code()) {
                            case JsonRpcError.INVALID_PARAMS -> "invalid_params";
                            case RESOURCE_NOT_FOUND -> "not_found";
                            default -> "error";
                        },
                        seconds);
                return failure(r, e);
            }
            record(ctx, r, "rest", subject, "ok", seconds);
            return JsonRpcMessage.Response.success(r.id(), result);
        });
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
        List<McpGatewayConfig.Upstream> offering = offering(ctx, ServerFeature.LOGGING);
        if (offering.isEmpty()) {
            // Nothing logs to this client, so every level is already honoured: accept it, as a server would.
            return done(JsonRpcMessage.Response.success(r.id(), mapper.createObjectNode()));
        }
        Optional<JsonRpcError> limited = rateLimit(ctx, r, "");
        if (limited.isPresent()) {
            return done(failure(r, limited.get()));
        }
        List<CompletableFuture<Optional<JsonRpcError>>> answers = new ArrayList<>();
        for (McpGatewayConfig.Upstream upstream : offering) {
            long started = ticker.nanoTime();
            answers.add(ask(ctx, upstream, ServerFeature.LOGGING, r.method(), params.deepCopy())
                    .handle((result, error) -> {
                        double seconds = seconds(started);
                        if (error != null) {
                            record(ctx, r, upstream.name(), level, "error", seconds);
                            return Optional.of(upstreamError(r.method(), upstream, error));
                        }
                        record(ctx, r, upstream.name(), level, result.isPresent() ? "ok" : "unsupported", seconds);
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

    // ---------------------------------------------------------------- helpers

    /**
     * The upstreams that offer {@code feature} as far as this session knows; one whose features are unknown (its
     * initialize failed, or an older runner sealed the session) is included and asked.
     */
    private List<McpGatewayConfig.Upstream> offering(Context ctx, ServerFeature feature) {
        return ctx.config().upstreams().stream()
                .filter(u -> sessions.current(ctx.session(), u)
                        .map(s -> s.mayOffer(feature))
                        .orElse(true))
                .toList();
    }

    /** Sends one request upstream; empty when the upstream session says it does not offer {@code feature}. */
    private CompletionStage<Optional<JsonNode>> ask(
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

    private Optional<JsonRpcError> rateLimit(Context ctx, JsonRpcMessage.Request r, String subject) {
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

    private static JsonRpcError combine(String method, List<JsonRpcError> failures) {
        if (failures.size() == 1) {
            return failures.get(0);
        }
        return JsonRpcError.internalError(method + " failed on " + failures.size() + " upstreams: "
                + String.join("; ", failures.stream().map(JsonRpcError::message).toList()));
    }

    private void record(
            Context ctx, JsonRpcMessage.Request r, String upstream, String target, String outcome, double seconds) {
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

    private double seconds(long started) {
        return (ticker.nanoTime() - started) / 1e9;
    }

    private static JsonRpcMessage.Response failure(JsonRpcMessage.Request r, JsonRpcError error) {
        return JsonRpcMessage.Response.failure(Optional.of(r.id()), error);
    }

    private static CompletionStage<JsonRpcMessage.Response> done(JsonRpcMessage.Response response) {
        return CompletableFuture.completedFuture(response);
    }
}
