package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The merged tool catalog: the route's REST tools and every reachable upstream's (prefixed), filtered by access and
 * sorted by name, paged with cursors that name the catalog they belong to. Upstream lists are cached per node for
 * the upstream's {@code catalog_ttl_ms}, and dropped at once when the upstream says its list changed.
 */
public final class ToolCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ToolCatalog.class);
    private static final int MAX_UPSTREAM_PAGES = 20;

    private final ObjectMapper mapper;
    private final Clock clock;
    private final UpstreamSessions upstreamSessions;
    private final BoundedCache<String, CachedCatalog> upstreamCatalogs = new BoundedCache<>(1_000);

    public ToolCatalog(ObjectMapper mapper, Clock clock, UpstreamSessions upstreamSessions) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.clock = requireNonNull(clock, "clock");
        this.upstreamSessions = requireNonNull(upstreamSessions, "upstreamSessions");
    }

    private record CachedCatalog(List<ObjectNode> tools, Instant fetchedAt) {}

    /** Forgets {@code upstream}'s cached tool list (it sent {@code notifications/tools/list_changed}). */
    public void invalidate(McpGatewayConfig.Upstream upstream) {
        upstreamCatalogs.remove(key(upstream));
    }

    /** Answers tools/list with one page of the catalog. */
    public CompletionStage<JsonRpcMessage.Response> list(RequestScope scope, JsonRpcMessage.Request r) {
        JsonNode params = r.params().orElse(mapper.createObjectNode());
        JsonNode cursorNode = params.path("cursor");
        if (!cursorNode.isMissingNode() && !cursorNode.isNull() && !cursorNode.isString()) {
            return CompletableFuture.completedFuture(failure(r, "tools/list: cursor must be a string"));
        }
        Optional<String> cursor = cursorNode.isString() ? Optional.of(cursorNode.stringValue()) : Optional.empty();
        return catalog(scope).thenApply(tools -> {
            String fingerprint = fingerprint(tools);
            int offset = 0;
            if (cursor.isPresent()) {
                Optional<Integer> decoded = decodeCursor(cursor.get(), fingerprint);
                if (decoded.isEmpty() || decoded.get() > tools.size()) {
                    return failure(
                            r,
                            "tools/list: invalid or stale cursor (the catalog changed); list again "
                                    + "without a cursor");
                }
                offset = decoded.get();
            }
            int end = Math.min(tools.size(), offset + scope.config().pageSize());
            ObjectNode result = mapper.createObjectNode();
            ArrayNode page = result.putArray("tools");
            tools.subList(offset, end).forEach(page::add);
            if (end < tools.size()) {
                result.put("nextCursor", encodeCursor(fingerprint, end));
            }
            return JsonRpcMessage.Response.success(r.id(), result);
        });
    }

    private static JsonRpcMessage.Response failure(JsonRpcMessage.Request r, String message) {
        return JsonRpcMessage.Response.failure(Optional.of(r.id()), JsonRpcError.invalidParams(message));
    }

    /** The tools the scope's consumer may see, sorted by name: local ones and every reachable upstream's. */
    private CompletionStage<List<ObjectNode>> catalog(RequestScope scope) {
        McpGatewayConfig config = scope.config();
        List<ObjectNode> tools = new ArrayList<>();
        config.tools().values().forEach(t -> tools.add(describe(t)));
        List<CompletableFuture<List<ObjectNode>>> remote = new ArrayList<>();
        for (McpGatewayConfig.Upstream upstream : config.upstreams()) {
            if (!upstreamSessions
                    .current(scope.session(), upstream)
                    .map(s -> s.mayOffer(ServerFeature.TOOLS))
                    .orElse(true)) {
                continue; // a resources- or prompts-only server: asking would only log its -32601
            }
            remote.add(upstreamTools(scope, upstream).toCompletableFuture().exceptionally(e -> {
                LOG.warn(
                        "mcp-gateway: upstream {} tools/list failed ({}); its tools are left out",
                        upstream.name(),
                        Outbound.describe(e));
                return List.of();
            }));
        }
        return CompletableFuture.allOf(remote.toArray(CompletableFuture[]::new)).thenApply(v -> {
            for (CompletableFuture<List<ObjectNode>> f : remote) {
                for (ObjectNode tool : f.join()) {
                    if (!config.tools().containsKey(tool.path("name").asString())) {
                        tools.add(tool);
                    }
                }
            }
            List<ObjectNode> visible = new ArrayList<>(tools.stream()
                    .filter(t -> config.access()
                            .permits(scope.principal(), t.path("name").asString()))
                    .toList());
            visible.sort(Comparator.comparing(t -> t.path("name").asString()));
            return visible;
        });
    }

    private static String key(McpGatewayConfig.Upstream upstream) {
        return upstream.name() + "|" + upstream.url();
    }

    /** An upstream's tools with its prefix, cached per catalog TTL (also read to check federated arguments). */
    CompletionStage<List<ObjectNode>> upstreamTools(RequestScope scope, McpGatewayConfig.Upstream upstream) {
        String key = key(upstream);
        Optional<CachedCatalog> cached = upstreamCatalogs.get(key);
        if (cached.isPresent()
                && clock.instant().isBefore(cached.get().fetchedAt().plus(upstream.catalogTtl()))) {
            return CompletableFuture.completedFuture(cached.get().tools());
        }
        return upstreamSessions
                .with(
                        scope.config(),
                        scope.session(),
                        upstream,
                        s -> fetchAllPages(scope, upstream, s, null, new ArrayList<>(), 0))
                .thenApply(raw -> {
                    List<ObjectNode> prefixed = new ArrayList<>();
                    for (JsonNode tool : raw) {
                        if (tool.isObject() && tool.path("name").isString()) {
                            ObjectNode copy = (ObjectNode) tool.deepCopy();
                            copy.put(
                                    "name",
                                    upstream.prefix() + tool.path("name").stringValue());
                            prefixed.add(copy);
                        }
                    }
                    List<ObjectNode> result = List.copyOf(prefixed);
                    upstreamCatalogs.put(key, new CachedCatalog(result, clock.instant()));
                    return result;
                });
    }

    private CompletionStage<List<JsonNode>> fetchAllPages(
            RequestScope scope,
            McpGatewayConfig.Upstream upstream,
            UpstreamClient.Session session,
            String cursor,
            List<JsonNode> acc,
            int page) {
        ObjectNode params = mapper.createObjectNode();
        if (cursor != null) {
            params.put("cursor", cursor);
        }
        return upstreamSessions
                .client()
                .request(upstream, session, "tools/list", params, scope.config().maxResultBytes())
                .thenCompose(result -> {
                    result.path("tools").forEach(acc::add);
                    String next = result.path("nextCursor").asString("");
                    if (next.isEmpty() || page + 1 >= MAX_UPSTREAM_PAGES) {
                        return CompletableFuture.completedFuture(acc);
                    }
                    return fetchAllPages(scope, upstream, session, next, acc, page + 1);
                });
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

    private static String fingerprint(List<ObjectNode> tools) {
        StringBuilder sb = new StringBuilder();
        tools.forEach(t -> sb.append(t.path("name").asString()).append('\n'));
        return SessionService.sha256(sb.toString()).substring(0, 12);
    }

    static String encodeCursor(String fingerprint, int offset) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("c1:" + fingerprint + ":" + offset).getBytes(StandardCharsets.UTF_8));
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
}
