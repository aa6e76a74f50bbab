package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server side of MCP's Streamable HTTP transport, answered as whole {@code application/json} bodies (a runner
 * reply cannot stream). One instance serves every route of a plugin; per-call state lives in locals and in
 * {@link Call}, shared state in the thread-safe collaborators.
 *
 * <p>HTTP level: Origin (403), method (GET and others 405, DELETE ends the session), Accept (406), Content-Type (415),
 * size (413), JSON-RPC decoding (400 with -32700 / -32600), {@code MCP-Protocol-Version} (400), session
 * (missing 400, unknown/tampered/expired 404, other principal 403). JSON-RPC level: initialize, ping, tools/list,
 * tools/call here, the other federated server features in {@link FederatedFeatures}; unknown methods -32601;
 * notifications and responses 202 without a body.
 */
public final class McpEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);
    private static final Logger CALL_LOG = LoggerFactory.getLogger("org.a6suite.mcp.calls");
    private static final int MAX_UPSTREAM_PAGES = 20;

    private final ObjectMapper mapper;
    private final JsonRpcCodec codec;
    private final Clock clock;
    private final SecureRandom random;
    private final RestToolInvoker rest;
    private final UpstreamClient upstreams;
    private final ToolRateLimiter rateLimiter;
    private final PluginMetrics metrics;
    private final Ticker ticker;
    private final UpstreamSessions upstreamSessions;
    private final FederatedFeatures federation;
    /** Sessions ended with DELETE on this node (a sealed id cannot be revoked everywhere; see the docs). */
    private final BoundedCache<String, Instant> endedSessions = new BoundedCache<>(10_000);
    private final BoundedCache<String, CachedCatalog> upstreamCatalogs = new BoundedCache<>(1_000);
    /** Federated tools' input schemas, checked at the gateway as REST tools' are. */
    private final FederatedToolSchemas toolSchemas = new FederatedToolSchemas();

    public McpEndpoint(ObjectMapper mapper, Clock clock, SecureRandom random, RestToolInvoker rest,
            UpstreamClient upstreams, ToolRateLimiter rateLimiter, PluginMetrics metrics, Ticker ticker) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.codec = new JsonRpcCodec(mapper);
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
        this.rest = requireNonNull(rest, "rest");
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.upstreamSessions = new UpstreamSessions(upstreams);
        this.rateLimiter = requireNonNull(rateLimiter, "rateLimiter");
        this.metrics = requireNonNull(metrics, "metrics");
        this.ticker = requireNonNull(ticker, "ticker");
        this.federation = new FederatedFeatures(mapper, upstreamSessions, rateLimiter, metrics, ticker, rest);
    }

    private record CachedCatalog(List<ObjectNode> tools, Instant fetchedAt) {
    }

    /** One request's facts, resolved once. */
    private record Call(RequestView request, McpGatewayConfig config, String audience, String principal,
                        SessionSealer sealer) {
    }

    public CompletionStage<RequestDecision> handle(RequestView request, McpGatewayConfig config,
            CallContext context) {
        String audience = config.session().audience().or(context::routeId).orElse("");
        String principal = principal(request, config);
        Call call = new Call(request, config, audience, principal,
                new SessionSealer(config.session().keyRing(), mapper, clock, random));
        try {
            return dispatch(call);
        } catch (RuntimeException e) {
            LOG.warn("mcp-gateway: internal error ({})", e.toString());
            return done(httpError(500, Optional.empty(), JsonRpcError.internalError("internal error")));
        }
    }

    private CompletionStage<RequestDecision> dispatch(Call call) {
        RequestView request = call.request;
        Optional<String> origin = request.header("origin");
        if (origin.isPresent() && !call.config.allowedOrigins().contains("*")
                && !call.config.allowedOrigins().contains(origin.get())) {
            return done(httpError(403, Optional.empty(), JsonRpcError.invalidRequest(
                    "origin not allowed: " + origin.get())));
        }
        if (request.method() == HttpMethod.DELETE) {
            return delete(call);
        }
        if (request.method() != HttpMethod.POST) {
            return done(RequestDecision.stop(405).header("allow", "POST, DELETE").json(codec.toJson(
                    JsonRpcMessage.Response.failure(Optional.empty(), JsonRpcError.invalidRequest("method not allowed: "
                            + request.method() + " (expected: POST; this gateway offers no SSE stream)")))
                    .toString()).build());
        }
        String accept = String.join(",", request.headers().all("accept")).toLowerCase(Locale.ROOT);
        if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
            return done(httpError(406, Optional.empty(), JsonRpcError.invalidRequest(
                    "not acceptable: Accept must list application/json and text/event-stream")));
        }
        String contentType = request.header("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("application/json")) {
            return done(httpError(415, Optional.empty(), JsonRpcError.invalidRequest(
                    "unsupported media type: " + contentType + " (expected: application/json)")));
        }
        byte[] body = request.body().map(b -> b.toByteArray()).orElse(new byte[0]);
        if (body.length > call.config.maxRequestBytes()) {
            return done(httpError(413, Optional.empty(), JsonRpcError.invalidRequest(
                    "request body of " + body.length + " bytes exceeds maxRequestBytes ("
                            + call.config.maxRequestBytes() + ")")));
        }
        JsonRpcMessage message;
        switch (codec.decode(body)) {
            case JsonRpcCodec.Decoded.Invalid invalid -> {
                return done(httpError(400, invalid.id(), invalid.error()));
            }
            case JsonRpcCodec.Decoded.Valid valid -> message = valid.message();
        }
        if (message instanceof JsonRpcMessage.Request r && r.method().equals("initialize")) {
            return initialize(call, r);
        }
        Optional<String> version = request.header("mcp-protocol-version");
        if (version.isPresent() && !ProtocolVersions.isSupported(version.get())) {
            return done(httpError(400, idOf(message), JsonRpcError.invalidRequest("unsupported MCP-Protocol-Version: "
                    + version.get() + " (expected: one of " + ProtocolVersions.SUPPORTED + ")")));
        }
        Optional<String> token = request.header("mcp-session-id");
        if (token.isEmpty()) {
            return done(httpError(400, idOf(message), JsonRpcError.invalidRequest(
                    "missing Mcp-Session-Id (expected: the id returned by initialize)")));
        }
        Optional<SessionContext> opened = call.sealer.open(token.get(), call.audience);
        if (opened.isEmpty() || endedSessions.get(opened.get().sessionId()).isPresent()) {
            return done(httpError(404, idOf(message), JsonRpcError.invalidRequest(
                    "session not found or expired; initialize a new session")));
        }
        SessionContext session = opened.get();
        if (!session.principal().equals(call.principal)) {
            return done(httpError(403, idOf(message), JsonRpcError.invalidRequest(
                    "session belongs to another consumer; initialize a new session")));
        }
        return switch (message) {
            case JsonRpcMessage.Notification n -> done(RequestDecision.stop(202).build());
            case JsonRpcMessage.Response r -> done(RequestDecision.stop(202).build());
            case JsonRpcMessage.Request r -> switch (r.method()) {
                case "ping" -> done(ok(r.id(), mapper.createObjectNode()));
                case "tools/list" -> listTools(call, session, r);
                case "tools/call" -> callTool(call, session, r);
                default -> FederatedFeatures.serves(r.method())
                        ? federation.handle(new FederatedFeatures.Context(call.config, call.principal, session), r)
                                .thenApply(response -> RequestDecision.stop(200).json(json(response)).build())
                        : done(rpcError(r.id(), JsonRpcError.methodNotFound(r.method())));
            };
        };
    }

    // ---------------------------------------------------------------- initialize / delete

    private CompletionStage<RequestDecision> initialize(Call call, JsonRpcMessage.Request r) {
        JsonNode params = r.params().orElse(mapper.createObjectNode());
        JsonNode requested = params.path("protocolVersion");
        if (!params.isObject() || !requested.isString()) {
            return done(rpcError(r.id(), JsonRpcError.invalidParams(
                    "initialize: params.protocolVersion missing (expected: a version string such as "
                            + ProtocolVersions.LATEST + ")")));
        }
        String version = ProtocolVersions.negotiate(requested.stringValue());
        String clientName = params.path("clientInfo").path("name").asString("");
        String clientVersion = params.path("clientInfo").path("version").asString("");
        String sessionId = randomId();
        Map<String, String> sealedUpstreams = new LinkedHashMap<>();
        List<CompletableFuture<Void>> inits = new ArrayList<>();
        for (McpGatewayConfig.Upstream upstream : call.config.upstreams()) {
            inits.add(upstreams.initialize(upstream, call.config.serverName(), call.config.serverVersion(),
                            call.config.maxResultBytes()).toCompletableFuture()
                    .handle((s, e) -> {
                        if (e != null) {
                            LOG.warn("mcp-gateway: upstream {} initialize failed ({}); retried on first use",
                                    upstream.name(), Outbound.describe(e));
                        } else {
                            synchronized (sealedUpstreams) {
                                sealedUpstreams.put(upstream.name(), s.encode());
                            }
                        }
                        return null;
                    }));
        }
        return CompletableFuture.allOf(inits.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, String> ups;
            synchronized (sealedUpstreams) {
                ups = Map.copyOf(sealedUpstreams);
            }
            List<Set<ServerFeature>> offered = ups.values().stream()
                    .flatMap(u -> UpstreamClient.Session.decode(u).flatMap(UpstreamClient.Session::features).stream())
                    .toList();
            SessionContext session = new SessionContext(sessionId, version, clientName, clientVersion,
                    call.principal, ups, catalogHash(call), clock.instant().plus(call.config.session().ttl()));
            ObjectNode result = mapper.createObjectNode();
            result.put("protocolVersion", version);
            // The JSON path cannot relay notifications, so no listChanged is promised (see FederatedFeatures).
            result.set("capabilities", FederatedFeatures.capabilities(mapper, call.config, offered, false));
            result.putObject("serverInfo").put("name", call.config.serverName())
                    .put("version", call.config.serverVersion());
            call.config.instructions().ifPresent(i -> result.put("instructions", i));
            return (RequestDecision) RequestDecision.stop(200)
                    .header("mcp-session-id", call.sealer.seal(session, call.audience))
                    .json(json(JsonRpcMessage.Response.success(r.id(), result))).build();
        });
    }

    private CompletionStage<RequestDecision> delete(Call call) {
        Optional<String> token = call.request.header("mcp-session-id");
        if (token.isEmpty()) {
            return done(httpError(400, Optional.empty(), JsonRpcError.invalidRequest("missing Mcp-Session-Id")));
        }
        Optional<SessionContext> session = call.sealer.open(token.get(), call.audience);
        if (session.isEmpty() || endedSessions.get(session.get().sessionId()).isPresent()) {
            return done(httpError(404, Optional.empty(), JsonRpcError.invalidRequest("session not found")));
        }
        if (!session.get().principal().equals(call.principal)) {
            return done(httpError(403, Optional.empty(), JsonRpcError.invalidRequest(
                    "session belongs to another consumer")));
        }
        endedSessions.put(session.get().sessionId(), session.get().expiresAt());
        List<CompletableFuture<Void>> deletes = new ArrayList<>();
        for (McpGatewayConfig.Upstream upstream : call.config.upstreams()) {
            upstreamSessions.current(session.get(), upstream).ifPresent(s -> deletes.add(
                    upstreams.delete(upstream, s).toCompletableFuture()));
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new))
                .thenApply(v -> RequestDecision.stop(204).build());
    }

    // ---------------------------------------------------------------- tools/list

    private CompletionStage<RequestDecision> listTools(Call call, SessionContext session, JsonRpcMessage.Request r) {
        JsonNode params = r.params().orElse(mapper.createObjectNode());
        JsonNode cursorNode = params.path("cursor");
        if (!cursorNode.isMissingNode() && !cursorNode.isNull() && !cursorNode.isString()) {
            return done(rpcError(r.id(), JsonRpcError.invalidParams("tools/list: cursor must be a string")));
        }
        Optional<String> cursor = cursorNode.isString() ? Optional.of(cursorNode.stringValue()) : Optional.empty();
        return catalog(call, session).thenApply(tools -> {
            String fingerprint = fingerprint(tools);
            int offset = 0;
            if (cursor.isPresent()) {
                Optional<Integer> decoded = decodeCursor(cursor.get(), fingerprint);
                if (decoded.isEmpty() || decoded.get() > tools.size()) {
                    return rpcError(r.id(), JsonRpcError.invalidParams(
                            "tools/list: invalid or stale cursor (the catalog changed); list again without a cursor"));
                }
                offset = decoded.get();
            }
            int end = Math.min(tools.size(), offset + call.config.pageSize());
            ObjectNode result = mapper.createObjectNode();
            ArrayNode page = result.putArray("tools");
            tools.subList(offset, end).forEach(page::add);
            if (end < tools.size()) {
                result.put("nextCursor", encodeCursor(fingerprint, end));
            }
            return ok(r.id(), result);
        });
    }

    /** The tools {@code call.principal} may see, sorted by name: local ones and every reachable upstream's. */
    private CompletionStage<List<ObjectNode>> catalog(Call call, SessionContext session) {
        List<ObjectNode> tools = new ArrayList<>();
        call.config.tools().values().forEach(t -> tools.add(describe(t)));
        List<CompletableFuture<List<ObjectNode>>> remote = new ArrayList<>();
        for (McpGatewayConfig.Upstream upstream : call.config.upstreams()) {
            if (!upstreamSessions.current(session, upstream).map(s -> s.mayOffer(ServerFeature.TOOLS)).orElse(true)) {
                continue; // a resources- or prompts-only server: asking would only log its -32601
            }
            remote.add(upstreamTools(call, session, upstream).toCompletableFuture().exceptionally(e -> {
                LOG.warn("mcp-gateway: upstream {} tools/list failed ({}); its tools are left out",
                        upstream.name(), Outbound.describe(e));
                return List.of();
            }));
        }
        return CompletableFuture.allOf(remote.toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (CompletableFuture<List<ObjectNode>> f : remote) {
                for (ObjectNode tool : f.join()) {
                    if (!call.config.tools().containsKey(tool.path("name").asString())) {
                        tools.add(tool);
                    }
                }
            }
            List<ObjectNode> visible = new ArrayList<>(tools.stream()
                    .filter(t -> call.config.access().permits(call.principal, t.path("name").asString()))
                    .toList());
            visible.sort(Comparator.comparing(t -> t.path("name").asString()));
            return visible;
        });
    }

    private CompletionStage<List<ObjectNode>> upstreamTools(Call call, SessionContext session,
            McpGatewayConfig.Upstream upstream) {
        String key = upstream.name() + "|" + upstream.url();
        Optional<CachedCatalog> cached = upstreamCatalogs.get(key);
        if (cached.isPresent() && clock.instant().isBefore(cached.get().fetchedAt().plus(upstream.catalogTtl()))) {
            return CompletableFuture.completedFuture(cached.get().tools());
        }
        return upstreamSessions.with(call.config, session, upstream, s -> fetchAllPages(call, upstream, s, null,
                new ArrayList<>(), 0)).thenApply(raw -> {
                    List<ObjectNode> prefixed = new ArrayList<>();
                    for (JsonNode tool : raw) {
                        if (tool.isObject() && tool.path("name").isString()) {
                            ObjectNode copy = (ObjectNode) tool.deepCopy();
                            copy.put("name", upstream.prefix() + tool.path("name").stringValue());
                            prefixed.add(copy);
                        }
                    }
                    List<ObjectNode> result = List.copyOf(prefixed);
                    upstreamCatalogs.put(key, new CachedCatalog(result, clock.instant()));
                    return result;
                });
    }

    private CompletionStage<List<JsonNode>> fetchAllPages(Call call, McpGatewayConfig.Upstream upstream,
            UpstreamClient.Session session, String cursor, List<JsonNode> acc, int page) {
        ObjectNode params = mapper.createObjectNode();
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        return upstreams.request(upstream, session, "tools/list", params, call.config.maxResultBytes())
                .thenCompose(result -> {
                    result.path("tools").forEach(acc::add);
                    String next = result.path("nextCursor").asString("");
                    if (next.isEmpty() || page + 1 >= MAX_UPSTREAM_PAGES) {
                        return CompletableFuture.completedFuture(acc);
                    }
                    return fetchAllPages(call, upstream, session, next, acc, page + 1);
                });
    }

    // ---------------------------------------------------------------- tools/call

    private CompletionStage<RequestDecision> callTool(Call call, SessionContext session, JsonRpcMessage.Request r) {
        JsonNode params = r.params().orElse(mapper.createObjectNode());
        JsonNode nameNode = params.path("name");
        JsonNode argsNode = params.path("arguments");
        if (!params.isObject() || !nameNode.isString()) {
            return done(rpcError(r.id(), JsonRpcError.invalidParams("tools/call: params.name missing (expected: a "
                    + "tool name string)")));
        }
        if (!argsNode.isMissingNode() && !argsNode.isNull() && !argsNode.isObject()) {
            return done(rpcError(r.id(), JsonRpcError.invalidParams("tools/call: arguments must be an object")));
        }
        String name = nameNode.stringValue();
        ObjectNode args = argsNode.isObject() ? (ObjectNode) argsNode : mapper.createObjectNode();
        LocalTool local = call.config.tools().get(name);
        Optional<McpGatewayConfig.Upstream> upstream = local != null ? Optional.empty()
                : FederatedNames.routeName(call.config.upstreams(), name).map(FederatedNames.Routed::upstream);
        if ((local == null && upstream.isEmpty()) || !call.config.access().permits(call.principal, name)) {
            // A tool the consumer may not use is reported exactly like one that does not exist.
            logCall(call, session, name, args, "unknown", 0);
            return done(rpcError(r.id(), JsonRpcError.invalidParams("unknown tool: " + name)));
        }
        Optional<Duration> wait = rateLimiter.tryAcquire(call.config.rateLimits(), name, call.principal);
        if (wait.isPresent()) {
            count(name, "rate_limited");
            logCall(call, session, name, args, "rate_limited", 0);
            return done(ok(r.id(), CallResults.error(mapper, "rate limit exceeded for tool " + name
                    + "; retry after " + wait.get().toMillis() + " ms")));
        }
        long started = ticker.nanoTime();
        CompletionStage<ObjectNode> result;
        if (local != null) {
            List<String> violations = JsonSchemas.violations(local.inputValidator(), args);
            if (!violations.isEmpty()) {
                result = CompletableFuture.completedFuture(CallResults.error(mapper,
                        "invalid arguments for " + name + ": " + String.join("; ", violations)));
            } else {
                McpGatewayConfig.Backend backend = call.config.backends().get(local.backend());
                result = rest.call(local, backend, args, call.config.maxResultBytes());
            }
        } else {
            McpGatewayConfig.Upstream target = upstream.get();
            String own = name.substring(target.prefix().length());
            result = toolSchemas.violations(target, own, args, () -> upstreamTools(call, session, target))
                    .thenCompose(violations -> violations.isEmpty() ? forward(call, session, target, own, args)
                            : CompletableFuture.completedFuture(CallResults.error(mapper, "invalid arguments for "
                                    + name + ": " + String.join("; ", violations))));
        }
        String upstreamTool = upstream.map(u -> name.substring(u.prefix().length())).orElse("");
        return result.handle((res, error) -> {
            double seconds = (ticker.nanoTime() - started) / 1e9;
            if (error != null) {
                Throwable cause = Outbound.cause(error);
                if (cause instanceof UpstreamClient.UpstreamException ue && ue.rpcError().isPresent()
                        && ue.rpcError().get().code() == JsonRpcError.INVALID_PARAMS) {
                    record(call, session, name, args, "invalid_params", seconds);
                    return rpcError(r.id(), JsonRpcError.invalidParams(FederatedToolSchemas.readable(
                            ue.rpcError().get().message(), upstreamTool, name)));
                }
                record(call, session, name, args, "error", seconds);
                return ok(r.id(), CallResults.error(mapper, cause instanceof UpstreamClient.UpstreamException
                        ? FederatedToolSchemas.readable(cause.getMessage(), upstreamTool, name)
                        : "tool " + name + " failed (" + Outbound.describe(cause) + ")"));
            }
            boolean isError = res.path("isError").asBoolean(false);
            record(call, session, name, args, isError ? "error" : "ok", seconds);
            return ok(r.id(), res);
        });
    }

    private CompletionStage<ObjectNode> forward(Call call, SessionContext session, McpGatewayConfig.Upstream upstream,
            String toolName, ObjectNode args) {
        ObjectNode params = mapper.createObjectNode();
        params.put("name", toolName);
        params.set("arguments", args);
        return upstreamSessions.with(call.config, session, upstream, s -> upstreams.request(upstream, s, "tools/call",
                params, call.config.maxResultBytes())).thenApply(result -> {
                    if (!result.isObject() || !result.path("content").isArray()) {
                        return CallResults.error(mapper, "upstream " + upstream.name() + " sent a result without "
                                + "content");
                    }
                    // resource_link and embedded resources name the upstream's URIs: give the client ours.
                    result.path("content").forEach(c -> FederatedNames.rewriteContent(upstream, c));
                    return (ObjectNode) result;
                });
    }

    // ---------------------------------------------------------------- helpers

    private void record(Call call, SessionContext session, String tool, ObjectNode args, String outcome,
            double seconds) {
        count(tool, outcome);
        metrics.observe("a6_mcp_tool_call_duration_seconds", "Duration of MCP tool calls through the gateway.",
                Map.of("tool", tool), seconds);
        logCall(call, session, tool, args, outcome, seconds);
    }

    private void count(String tool, String outcome) {
        metrics.increment("a6_mcp_tool_calls_total", "MCP tool calls through the gateway by outcome.",
                Map.of("tool", tool, "outcome", outcome), 1);
    }

    private void logCall(Call call, SessionContext session, String tool, ObjectNode args, String outcome,
            double seconds) {
        if (!call.config.callLog().enabled()) {
            return;
        }
        if (call.config.callLog().includeArguments()) {
            CALL_LOG.info("mcp tools/call tool={} consumer={} session={} outcome={} latency_ms={} arguments={}", tool,
                    call.principal, session.sessionId(), outcome, Math.round(seconds * 1000), args);
        } else {
            CALL_LOG.info("mcp tools/call tool={} consumer={} session={} outcome={} latency_ms={}", tool,
                    call.principal, session.sessionId(), outcome, Math.round(seconds * 1000));
        }
    }

    private ObjectNode describe(LocalTool tool) {
        ObjectNode node = mapper.createObjectNode();
        node.put("name", tool.name());
        tool.title().ifPresent(t -> node.put("title", t));
        node.put("description", tool.description());
        node.set("inputSchema", tool.inputSchema());
        tool.outputSchema().ifPresent(s -> node.set("outputSchema", s));
        return node;
    }

    private String catalogHash(Call call) {
        List<String> names = new ArrayList<>(call.config.tools().keySet().stream()
                .filter(n -> call.config.access().permits(call.principal, n)).toList());
        call.config.upstreams().forEach(u -> names.add("upstream:" + u.name() + ":" + u.prefix()));
        names.sort(null);
        return sha256(String.join("\n", names)).substring(0, 16);
    }

    private static String fingerprint(List<ObjectNode> tools) {
        StringBuilder sb = new StringBuilder();
        tools.forEach(t -> sb.append(t.path("name").asString()).append('\n'));
        return sha256(sb.toString()).substring(0, 12);
    }

    static String encodeCursor(String fingerprint, int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("c1:" + fingerprint + ":" + offset)
                .getBytes(StandardCharsets.UTF_8));
    }

    static Optional<Integer> decodeCursor(String cursor, String fingerprint) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", -1);
            if (parts.length != 3 || !parts[0].equals("c1") || !parts[1].equals(fingerprint)) {
                return Optional.empty();
            }
            int offset = Integer.parseInt(parts[2]);
            return offset > 0 ? Optional.of(offset) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomId() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String principal(RequestView request, McpGatewayConfig config) {
        Optional<String> fromVar = config.principal().var().flatMap(request::var).filter(v -> !v.isEmpty());
        return fromVar.or(() -> config.principal().header().flatMap(request::header).filter(v -> !v.isEmpty()))
                .orElse("");
    }

    private static boolean accepts(String accept, String type) {
        String major = type.substring(0, type.indexOf('/'));
        for (String part : accept.split(",")) {
            String range = part.split(";", 2)[0].strip();
            if (range.equals(type) || range.equals("*/*") || range.equals(major + "/*")) {
                return true;
            }
        }
        return false;
    }

    private static Optional<JsonRpcId> idOf(JsonRpcMessage message) {
        return message instanceof JsonRpcMessage.Request r ? Optional.of(r.id()) : Optional.empty();
    }

    private RequestDecision ok(JsonRpcId id, JsonNode result) {
        return RequestDecision.stop(200).json(json(JsonRpcMessage.Response.success(id, result))).build();
    }

    private RequestDecision rpcError(JsonRpcId id, JsonRpcError error) {
        return RequestDecision.stop(200).json(json(JsonRpcMessage.Response.failure(Optional.of(id), error))).build();
    }

    private RequestDecision httpError(int status, Optional<JsonRpcId> id, JsonRpcError error) {
        return RequestDecision.stop(status).json(json(JsonRpcMessage.Response.failure(id, error))).build();
    }

    private String json(JsonRpcMessage message) {
        return new String(codec.encode(message), StandardCharsets.UTF_8);
    }

    private static CompletionStage<RequestDecision> done(RequestDecision decision) {
        return CompletableFuture.completedFuture(decision);
    }
}
