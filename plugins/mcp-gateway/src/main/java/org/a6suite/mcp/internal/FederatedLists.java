package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;
import static org.a6suite.mcp.internal.FederatedCalls.combine;
import static org.a6suite.mcp.internal.FederatedCalls.done;
import static org.a6suite.mcp.internal.FederatedCalls.failure;
import static org.a6suite.mcp.internal.FederatedCalls.upstreamError;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.internal.FederatedFeatures.Context;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The federated list methods ({@code resources/list}, {@code resources/templates/list}, {@code prompts/list}): the
 * route's own items first, on the first page, then the upstreams that offer the feature in configuration order, one
 * upstream page per client page; the gateway's cursor names the upstream and carries its cursor
 * ({@link #encodeCursor}). Pages emptied by access rules are skipped. An upstream that fails is left out (logged);
 * only when nothing could be listed does the client get its error. When nothing offers the list it is empty.
 */
final class FederatedLists {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedFeatures.class);
    /** Upstream pages fetched at most for one client page when access rules empty them. */
    private static final int MAX_PAGES_PER_REQUEST = 20;

    private final FederatedCalls calls;
    private final ObjectMapper mapper;
    private final Ticker ticker;
    private final Optional<RestFeatures> rest;

    FederatedLists(FederatedCalls calls) {
        this.calls = requireNonNull(calls, "calls");
        this.mapper = calls.mapper;
        this.ticker = calls.ticker;
        this.rest = calls.rest;
    }

    /** A list method: its result member, and the member that names an item (prefixed, and checked by access). */
    enum Catalog {
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

    CompletionStage<JsonRpcMessage.Response> list(
            Context ctx, JsonRpcMessage.Request r, ObjectNode params, Catalog catalog) {
        JsonNode cursorNode = params.path("cursor");
        if (!cursorNode.isMissingNode() && !cursorNode.isNull() && !cursorNode.isString()) {
            return done(failure(r, JsonRpcError.invalidParams(r.method() + ": cursor must be a string")));
        }
        List<McpGatewayConfig.Upstream> offering = calls.offering(ctx, catalog.feature);
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
        Optional<JsonRpcError> limited = calls.rateLimit(ctx, r, "");
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
            calls.record(ctx, r, "rest", "", "ok", 0);
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
        return calls.ask(ctx, upstream, catalog.feature, r.method(), params)
                .handle((result, error) -> {
                    double seconds = calls.seconds(started);
                    Optional<String> upstreamNext = Optional.empty();
                    if (error != null) {
                        JsonRpcError e = upstreamError(r.method(), upstream, error);
                        if (e.code() == JsonRpcError.METHOD_NOT_FOUND) {
                            calls.record(ctx, r, upstream.name(), "", "unsupported", seconds);
                        } else {
                            LOG.warn(
                                    "mcp-gateway: {} from upstream {} failed ({}); its items are left out",
                                    r.method(),
                                    upstream.name(),
                                    e.message());
                            page.failures().add(e);
                            calls.record(ctx, r, upstream.name(), "", "error", seconds);
                        }
                    } else if (result.isEmpty()) {
                        calls.record(ctx, r, upstream.name(), "", "unsupported", seconds);
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
                        calls.record(ctx, r, upstream.name(), "", "ok", seconds);
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
}
