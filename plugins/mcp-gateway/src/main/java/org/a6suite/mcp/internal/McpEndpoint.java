package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;

/**
 * The A6 front end (the plugin's {@code onRequest}). In {@code invoke} mode it serves the Streamable HTTP transport
 * with whole {@code application/json} answers (a runner reply cannot stream): POST and DELETE, GET 405, nothing
 * relayed before a result. In {@code lane} mode it checks Origin and method, names the consumer in a request header
 * and hands the request to the runner's HTTP lane ({@link LaneEndpoint}).
 */
public final class McpEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);
    /** The consumer as pre-req saw it, for the lane (which has no APISIX vars); always overwritten, never trusted. */
    public static final String PRINCIPAL_HEADER = "x-a6-mcp-principal";

    private final McpRuntime runtime;
    private final JsonRpcCodec codec;

    public McpEndpoint(McpRuntime runtime) {
        this.runtime = requireNonNull(runtime, "runtime");
        this.codec = runtime.codec();
    }

    public CompletionStage<RequestDecision> handle(RequestView request, McpGatewayConfig config, CallContext context) {
        try {
            Optional<HttpGuard.Refusal> origin = HttpGuard.origin(request, config);
            if (origin.isPresent()) {
                return done(refusal(origin.get()));
            }
            if (config.mode() == McpGatewayConfig.Mode.LANE) {
                return done(toLane(request, config));
            }
            return invoke(request, config, context);
        } catch (RuntimeException e) {
            LOG.warn("mcp-gateway: internal error ({})", e.toString());
            return done(httpError(
                    500,
                    JsonRpcMessage.Response.failure(Optional.empty(), JsonRpcError.internalError("internal error"))));
        }
    }

    private RequestDecision toLane(RequestView request, McpGatewayConfig config) {
        if (request.method() != HttpMethod.POST
                && request.method() != HttpMethod.GET
                && request.method() != HttpMethod.DELETE) {
            return methodNotAllowed(request, "POST, GET, DELETE", "POST, GET or DELETE");
        }
        return RequestDecision.rewrite()
                .setHeader(PRINCIPAL_HEADER, HttpGuard.principal(request, config))
                .toLane()
                .build();
    }

    private CompletionStage<RequestDecision> invoke(RequestView request, McpGatewayConfig config, CallContext context) {
        String audience = config.session().audience().or(context::routeId).orElse("");
        String principal = HttpGuard.principal(request, config);
        if (request.method() == HttpMethod.DELETE) {
            return runtime.sessions()
                    .delete(request, config, audience, principal)
                    .thenApply(refused -> {
                        if (refused.isPresent()) {
                            return refusal(refused.get());
                        }
                        runtime.endLive(request, config, audience);
                        return RequestDecision.stop(204).build();
                    });
        }
        if (request.method() != HttpMethod.POST) {
            return done(methodNotAllowed(
                    request, "POST, DELETE", "POST; this route serves no SSE stream (mode: " + "invoke)"));
        }
        return switch (runtime.posts().plan(request, config, audience, principal, false)) {
            case PostRouter.Plan.Refuse r -> done(refusal(r.refusal()));
            case PostRouter.Plan.Accept a -> done(RequestDecision.stop(202).build());
            case PostRouter.Plan.Initialize i ->
                i.answer().thenApply(init -> {
                    RequestDecision.Stop.Builder stop = RequestDecision.stop(200);
                    init.sessionId().ifPresent(id -> stop.header("mcp-session-id", id));
                    return (RequestDecision) json(stop, init.response()).build();
                });
            case PostRouter.Plan.Run run -> runWhole(config, principal, run);
        };
    }

    /** Runs the requests and answers one JSON body: the response, or an array for a batch. */
    private CompletionStage<RequestDecision> runWhole(
            McpGatewayConfig config, String principal, PostRouter.Plan.Run run) {
        RequestScope scope = new RequestScope(config, principal, run.session(), Outlet.NONE);
        if (!run.batch()) {
            // One request (what every client after 2025-03-26 sends): its answer, without the batch's gathering.
            return runtime.methods()
                    .request(scope, run.requests().get(0))
                    .thenApply(answer -> answer.<RequestDecision>map(
                                    r -> json(RequestDecision.stop(200), r).build())
                            // A cancelled request gets no answer; the HTTP request still needs one.
                            .orElseGet(() -> RequestDecision.stop(202).build()));
        }
        List<CompletableFuture<Optional<JsonRpcMessage.Response>>> answers = new ArrayList<>();
        run.requests()
                .forEach(r -> answers.add(runtime.methods().request(scope, r).toCompletableFuture()));
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    List<JsonRpcMessage.Response> out = new ArrayList<>(run.early());
                    answers.forEach(a -> a.join().ifPresent(out::add));
                    // Only a batch gets here: the answers, in order, as one array.
                    ArrayNode array = runtime.mapper().createArrayNode();
                    out.forEach(r -> array.add(codec.toJson(r)));
                    return out.isEmpty()
                            ? RequestDecision.stop(202).build()
                            : RequestDecision.stop(200).json(array.toString()).build();
                });
    }

    private RequestDecision methodNotAllowed(RequestView request, String allow, String expected) {
        return json(
                        RequestDecision.stop(405).header("allow", allow),
                        JsonRpcMessage.Response.failure(
                                Optional.empty(),
                                JsonRpcError.invalidRequest(
                                        "method not allowed: " + request.method() + " (expected: " + expected + ")")))
                .build();
    }

    private RequestDecision refusal(HttpGuard.Refusal refusal) {
        return httpError(refusal.status(), JsonRpcMessage.Response.failure(refusal.id(), refusal.error()));
    }

    private RequestDecision httpError(int status, JsonRpcMessage.Response body) {
        return json(RequestDecision.stop(status), body).build();
    }

    /** The encoded message as the body: its bytes as they are, not copied through a String and back. */
    private RequestDecision.Stop.Builder json(RequestDecision.Stop.Builder stop, JsonRpcMessage message) {
        return stop.header("content-type", "application/json").body(Body.wrap(codec.encode(message)));
    }

    private static CompletionStage<RequestDecision> done(RequestDecision decision) {
        return CompletableFuture.completedFuture(decision);
    }
}
