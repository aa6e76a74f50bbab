package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The JSON-RPC methods of an opened session: ping, tools/list, tools/call, the federated server features, and the
 * client's notifications (a {@code notifications/cancelled} cancels the request it names) and answers to relayed
 * server-to-client requests. Every request is tracked on this node while it runs, so it can be cancelled.
 */
public final class McpMethods {

    private final ObjectMapper mapper;
    private final ToolCatalog catalog;
    private final ToolCalls tools;
    private final FederatedFeatures federation;
    private final UpstreamRelay relay;
    private final LiveSessions live;

    public McpMethods(
            ObjectMapper mapper,
            ToolCatalog catalog,
            ToolCalls tools,
            FederatedFeatures federation,
            UpstreamRelay relay,
            LiveSessions live) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.catalog = requireNonNull(catalog, "catalog");
        this.tools = requireNonNull(tools, "tools");
        this.federation = requireNonNull(federation, "federation");
        this.relay = requireNonNull(relay, "relay");
        this.live = requireNonNull(live, "live");
    }

    /** Answers {@code r}; empty when the client cancelled it (a cancelled request gets no answer). */
    public CompletionStage<Optional<JsonRpcMessage.Response>> request(RequestScope scope, JsonRpcMessage.Request r) {
        CallControl control = new CallControl();
        Runnable untrack = live.live(scope.session().sessionId()).track(r.id(), control);
        CompletableFuture<Optional<JsonRpcMessage.Response>> answer = new CompletableFuture<>();
        control.onCancel(() -> answer.complete(Optional.empty()));
        CompletionStage<JsonRpcMessage.Response> stage;
        try {
            stage = dispatch(scope, r, control);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((response, error) -> {
            untrack.run();
            if (error != null) {
                answer.completeExceptionally(error);
            } else {
                answer.complete(control.cancelled() ? Optional.empty() : Optional.of(response));
            }
        });
        return answer;
    }

    private CompletionStage<JsonRpcMessage.Response> dispatch(
            RequestScope scope, JsonRpcMessage.Request r, CallControl control) {
        return switch (r.method()) {
            case "ping" ->
                CompletableFuture.completedFuture(JsonRpcMessage.Response.success(r.id(), mapper.createObjectNode()));
            case "tools/list" -> catalog.list(scope, r);
            case "tools/call" -> tools.call(scope, r, control);
            default ->
                FederatedFeatures.serves(r.method())
                        ? federation.handle(
                                new FederatedFeatures.Context(scope.config(), scope.principal(), scope.session()), r)
                        : CompletableFuture.completedFuture(JsonRpcMessage.Response.failure(
                                Optional.of(r.id()), JsonRpcError.methodNotFound(r.method())));
        };
    }

    /** A client notification: only {@code notifications/cancelled} has an effect here. */
    public void notification(SessionContext session, JsonRpcMessage.Notification n) {
        if (n.method().equals("notifications/cancelled")) {
            JsonNode requestId = n.params().map(p -> p.path("requestId")).orElse(mapper.missingNode());
            if (requestId.isString() || requestId.isIntegralNumber()) {
                live.find(session.sessionId()).ifPresent(l -> l.cancel(requestId));
            }
        }
    }

    /** A client response: the answer to a server-to-client request this node relayed. */
    public void response(SessionContext session, JsonRpcMessage.Response response) {
        relay.answer(session, response);
    }
}
