package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Relays what an upstream sends besides its results to the client, and the client's answers back:
 *
 * <ul>
 *   <li>{@code notifications/progress} and {@code notifications/message}: to the client as they are (a progress
 *       token is the client's own: the gateway forwards {@code _meta.progressToken} unchanged);</li>
 *   <li>{@code notifications/resources/updated}: with the resource URI as the client knows it (prefixed);</li>
 *   <li>{@code notifications/tools|resources|prompts/list_changed}: to the client; a tools change also drops the
 *       node's cached tool list of that upstream, so the next tools/list is fresh;</li>
 *   <li>{@code sampling/createMessage}, {@code elicitation/create}, {@code roots/list}: to the client under a
 *       gateway id when the client declared that capability, and the client's answer back to the upstream under
 *       the upstream's id; otherwise answered at once with -32601, so the upstream's call never hangs;</li>
 *   <li>an upstream's {@code ping}: answered by the gateway.</li>
 * </ul>
 */
public final class UpstreamRelay {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamRelay.class);
    /** Server-to-client request methods and the client capability each needs. */
    private static final Map<String, String> NEEDS =
            Map.of("sampling/createMessage", "sampling", "elicitation/create", "elicitation", "roots/list", "roots");

    private final ObjectMapper mapper;
    private final UpstreamSessions upstreamSessions;
    private final ToolCatalog catalog;
    private final LiveSessions live;

    public UpstreamRelay(
            ObjectMapper mapper, UpstreamSessions upstreamSessions, ToolCatalog catalog, LiveSessions live) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.upstreamSessions = requireNonNull(upstreamSessions, "upstreamSessions");
        this.catalog = requireNonNull(catalog, "catalog");
        this.live = requireNonNull(live, "live");
    }

    /**
     * The listener of one request the gateway sends upstream for {@code scope}: what arrives before the result goes
     * to the scope's outlet; {@code control} learns how to cancel the upstream request.
     */
    public UpstreamClient.Listener forCall(
            RequestScope scope,
            McpGatewayConfig.Upstream upstream,
            UpstreamClient.Session session,
            CallControl control) {
        return new UpstreamClient.Listener() {
            @Override
            public void sent(JsonRpcId upstreamId) {
                control.onCancel(() -> cancelUpstream(upstream, session, upstreamId));
            }

            @Override
            public void message(JsonRpcMessage message) {
                relay(scope, upstream, session, message);
            }
        };
    }

    /** The listener of an upstream GET stream: messages go to the client session's GET stream. */
    public UpstreamClient.Listener forStream(
            RequestScope scope, McpGatewayConfig.Upstream upstream, UpstreamClient.Session session) {
        return new UpstreamClient.Listener() {
            @Override
            public void message(JsonRpcMessage message) {
                relay(scope, upstream, session, message);
            }
        };
    }

    /**
     * The client answered a relayed server-to-client request: passes it to the upstream that asked. False when
     * {@code response} answers nothing this node relayed (the gateway then just acknowledges it).
     */
    public boolean answer(SessionContext session, JsonRpcMessage.Response response) {
        Optional<LiveSessions.Pending> pending =
                response.id().flatMap(id -> live.find(session.sessionId()).flatMap(l -> l.takePending(id)));
        if (pending.isEmpty()) {
            return false;
        }
        LiveSessions.Pending p = pending.get();
        JsonRpcMessage.Response upstreamAnswer =
                new JsonRpcMessage.Response(Optional.of(p.upstreamId()), response.result(), response.error());
        upstreamSessions
                .client()
                .send(p.upstream(), p.session(), upstreamAnswer)
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warn(
                                "mcp-gateway: relaying the client's answer to upstream {} failed ({})",
                                p.upstream().name(),
                                Outbound.describe(e));
                    }
                });
        return true;
    }

    private void relay(
            RequestScope scope,
            McpGatewayConfig.Upstream upstream,
            UpstreamClient.Session session,
            JsonRpcMessage message) {
        switch (message) {
            case JsonRpcMessage.Notification n -> notification(scope, upstream, n);
            case JsonRpcMessage.Request r -> request(scope, upstream, session, r);
            case JsonRpcMessage.Response r -> {}
        }
    }

    private void notification(RequestScope scope, McpGatewayConfig.Upstream upstream, JsonRpcMessage.Notification n) {
        switch (n.method()) {
            case "notifications/progress",
                    "notifications/message",
                    "notifications/resources/list_changed",
                    "notifications/prompts/list_changed" -> scope.outlet().send(n);
            case "notifications/tools/list_changed" -> {
                catalog.invalidate(upstream);
                scope.outlet().send(n);
            }
            case "notifications/resources/updated" -> {
                if (n.params().isPresent() && n.params().get().path("uri").isString()) {
                    ObjectNode params = (ObjectNode) n.params().get().deepCopy();
                    params.put(
                            "uri",
                            FederatedNames.uri(upstream, params.path("uri").stringValue()));
                    scope.outlet().send(new JsonRpcMessage.Notification(n.method(), Optional.of(params)));
                }
            }
            default -> LOG.debug("mcp-gateway: upstream {} sent {}; not relayed", upstream.name(), n.method());
        }
    }

    private void request(
            RequestScope scope,
            McpGatewayConfig.Upstream upstream,
            UpstreamClient.Session session,
            JsonRpcMessage.Request r) {
        if (r.method().equals("ping")) {
            reply(upstream, session, JsonRpcMessage.Response.success(r.id(), mapper.createObjectNode()));
            return;
        }
        String capability = NEEDS.get(r.method());
        if (capability == null) {
            reply(
                    upstream,
                    session,
                    JsonRpcMessage.Response.failure(Optional.of(r.id()), JsonRpcError.methodNotFound(r.method())));
            return;
        }
        if (upstreamSessions.relayed(scope.session()).has(capability)) {
            LiveSessions.Live state = live.live(scope.session().sessionId());
            JsonRpcId id = state.addPending(new LiveSessions.Pending(upstream, session, r.id()));
            if (scope.outlet().send(new JsonRpcMessage.Request(id, r.method(), r.params()))) {
                return;
            }
            state.takePending(id);
        }
        reply(
                upstream,
                session,
                JsonRpcMessage.Response.failure(
                        Optional.of(r.id()),
                        new JsonRpcError(
                                JsonRpcError.METHOD_NOT_FOUND,
                                "client does not support " + capability + " (" + r.method()
                                        + "): it did not declare the capability, or no stream to it is open",
                                Optional.empty())));
    }

    private void reply(
            McpGatewayConfig.Upstream upstream, UpstreamClient.Session session, JsonRpcMessage.Response response) {
        upstreamSessions.client().send(upstream, session, response).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("mcp-gateway: answering upstream {} failed ({})", upstream.name(), Outbound.describe(e));
            }
        });
    }

    private void cancelUpstream(
            McpGatewayConfig.Upstream upstream, UpstreamClient.Session session, JsonRpcId upstreamId) {
        ObjectNode params = mapper.createObjectNode();
        params.set("requestId", upstreamId.node());
        params.put("reason", "cancelled by the client");
        upstreamSessions
                .client()
                .send(
                        upstream,
                        session,
                        new JsonRpcMessage.Notification("notifications/cancelled", Optional.of(params)))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.debug(
                                "mcp-gateway: forwarding a cancellation to {} failed ({})",
                                upstream.name(),
                                Outbound.describe(e));
                    }
                });
    }
}
