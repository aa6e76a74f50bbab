package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.RequestView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;

/**
 * The lane front end ({@code mode: lane}, the plugin's {@code onLane}): MCP Streamable HTTP in full.
 *
 * <ul>
 *   <li>POST: a request whose handling sends nothing before its result is answered {@code application/json}; as
 *       soon as a message must precede the result (progress, a log message, a relayed server-to-client request), the
 *       answer becomes {@code text/event-stream}: those messages, then the response, then the stream ends.</li>
 *   <li>GET: the session's stream of server-initiated messages; opening it opens a GET stream to each upstream of the
 *       session (those that offer one) and relays what they send.</li>
 *   <li>Every SSE event has an id ({@code <stream>-<seq>}); sessions on 2025-11-25 get a priming event first (an id
 *       and empty data). A GET with {@code Last-Event-ID} replays what that stream sent after it and goes on with
 *       it, on the node that served it; an id this node does not know opens a fresh GET stream, nothing
 *       replayed.</li>
 *   <li>DELETE ends the session as in invoke mode and closes its streams on this node.</li>
 * </ul>
 */
public final class LaneEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(LaneEndpoint.class);
    private static final Headers SSE = Headers.of("content-type", "text/event-stream", "cache-control", "no-cache");
    /** The revision that introduced the priming event; older clients get none. */
    private static final String PRIMING_VERSION = "2025-11-25";

    private final McpRuntime runtime;
    private final JsonRpcCodec codec;

    public LaneEndpoint(McpRuntime runtime) {
        this.runtime = requireNonNull(runtime, "runtime");
        this.codec = runtime.codec();
    }

    public CompletionStage<LaneResponse> handle(RequestView request, McpGatewayConfig config, CallContext context) {
        try {
            Optional<HttpGuard.Refusal> origin = HttpGuard.origin(request, config);
            if (origin.isPresent()) {
                return done(refusal(origin.get()));
            }
            String audience = config.session().audience().or(context::routeId).orElse("");
            // Pre-req named the consumer (the lane has no APISIX vars) and replaced whatever the client sent.
            String principal = request.header(McpEndpoint.PRINCIPAL_HEADER).orElse("");
            return switch (request.method()) {
                case POST -> post(request, config, audience, principal);
                case GET -> get(request, config, audience, principal);
                case DELETE -> delete(request, config, audience, principal);
                default ->
                    done(whole(
                            405,
                            Headers.of("content-type", "application/json", "allow", "POST, GET, DELETE"),
                            JsonRpcMessage.Response.failure(
                                    Optional.empty(),
                                    JsonRpcError.invalidRequest("method not allowed: " + request.method()
                                            + " (expected: POST, GET or DELETE)"))));
            };
        } catch (RuntimeException e) {
            LOG.warn("mcp-gateway: internal error on the lane ({})", e.toString());
            return done(whole(
                    500,
                    json(),
                    JsonRpcMessage.Response.failure(Optional.empty(), JsonRpcError.internalError("internal error"))));
        }
    }

    // ---------------------------------------------------------------- DELETE

    private CompletionStage<LaneResponse> delete(
            RequestView request, McpGatewayConfig config, String audience, String principal) {
        return runtime.sessions().delete(request, config, audience, principal).thenApply(refused -> {
            if (refused.isPresent()) {
                return refusal(refused.get());
            }
            runtime.endLive(request, config, audience);
            return LaneResponse.whole(204, Headers.EMPTY, Body.EMPTY);
        });
    }

    // ---------------------------------------------------------------- POST

    private CompletionStage<LaneResponse> post(
            RequestView request, McpGatewayConfig config, String audience, String principal) {
        return switch (runtime.posts().plan(request, config, audience, principal, true)) {
            case PostRouter.Plan.Refuse r -> done(refusal(r.refusal()));
            case PostRouter.Plan.Accept a -> done(LaneResponse.whole(202, Headers.EMPTY, Body.EMPTY));
            case PostRouter.Plan.Initialize i ->
                i.answer().thenApply(init -> {
                    Headers headers = json();
                    if (init.sessionId().isPresent()) {
                        headers =
                                headers.with("mcp-session-id", init.sessionId().get());
                    }
                    return whole(200, headers, init.response());
                });
            case PostRouter.Plan.Run run -> run(config, principal, run);
        };
    }

    private CompletionStage<LaneResponse> run(McpGatewayConfig config, String principal, PostRouter.Plan.Run run) {
        LiveSessions.Live live = runtime.live().live(run.session().sessionId());
        live.replayEvents(config.stream().replayEvents());
        PostExchange exchange = new PostExchange(live, run, priming(run.session()));
        RequestScope scope = new RequestScope(config, principal, run.session(), exchange);
        for (JsonRpcMessage.Request r : run.requests()) {
            runtime.methods()
                    .request(scope, r)
                    .whenComplete((answer, error) -> exchange.answered(
                            error == null
                                    ? answer
                                    : Optional.of(JsonRpcMessage.Response.failure(
                                            Optional.of(r.id()), JsonRpcError.internalError("internal error")))));
        }
        if (run.requests().isEmpty()) {
            exchange.finishIfDone();
        }
        // The client went away before the head: its requests are cancelled (their upstream calls told, REST
        // requests closed).
        exchange.head.whenComplete((v, e) -> {
            if (exchange.head.isCancelled()) {
                run.requests().forEach(r -> live.cancel(r.id().node()));
            }
        });
        return exchange.head;
    }

    /**
     * One POST's answer: JSON while nothing but results exist; an SSE stream from the first message that must
     * precede a result. All methods are synchronized: results and messages arrive on any thread.
     */
    private final class PostExchange implements Outlet {
        final CompletableFuture<LaneResponse> head = new CompletableFuture<>();
        private final LiveSessions.Live live;
        private final PostRouter.Plan.Run run;
        private final boolean prime;
        private final List<JsonRpcMessage.Response> answers = new ArrayList<>();
        private int outstanding;
        private LiveSessions.Live.EventStream stream;

        PostExchange(LiveSessions.Live live, PostRouter.Plan.Run run, boolean prime) {
            this.live = live;
            this.run = run;
            this.prime = prime;
            this.outstanding = run.requests().size();
            this.answers.addAll(run.early());
        }

        @Override
        public synchronized boolean send(JsonRpcMessage message) {
            if (outstanding == 0 || head.isCancelled()) {
                return false;
            }
            if (stream == null) {
                AtomicReference<LiveSessions.Live.EventStream> opened = new AtomicReference<>();
                AtomicReference<SsePublisher> self = new AtomicReference<>();
                SsePublisher connection = new SsePublisher(LiveSessions.MAX_QUEUED, () -> {
                    LiveSessions.Live.EventStream s = opened.get();
                    if (s != null) {
                        s.detach(self.get());
                    }
                });
                self.set(connection);
                stream = live.open(connection, prime);
                opened.set(stream);
                answers.forEach(stream::emit);
                answers.clear();
                head.complete(LaneResponse.streamed(200, SSE, connection));
            }
            return stream.emit(message);
        }

        synchronized void answered(Optional<JsonRpcMessage.Response> answer) {
            outstanding--;
            if (stream != null) {
                answer.ifPresent(stream::emit);
            } else {
                answer.ifPresent(answers::add);
            }
            finishIfDone();
        }

        synchronized void finishIfDone() {
            if (outstanding > 0) {
                return;
            }
            if (stream != null) {
                stream.finish();
                return;
            }
            if (answers.isEmpty()) {
                head.complete(LaneResponse.whole(202, Headers.EMPTY, Body.EMPTY));
            } else if (!run.batch()) {
                head.complete(whole(200, json(), answers.get(0)));
            } else {
                ArrayNode array = runtime.mapper().createArrayNode();
                answers.forEach(r -> array.add(codec.toJson(r)));
                head.complete(LaneResponse.whole(200, json(), Body.of(array.toString())));
            }
        }
    }

    // ---------------------------------------------------------------- GET

    private CompletionStage<LaneResponse> get(
            RequestView request, McpGatewayConfig config, String audience, String principal) {
        Optional<HttpGuard.Refusal> refused = HttpGuard.get(request);
        if (refused.isPresent()) {
            return done(refusal(refused.get()));
        }
        SessionContext session;
        switch (runtime.sessions().open(request, config, audience, principal, Optional.empty())) {
            case SessionService.Opened.Refused r -> {
                return done(refusal(r.refusal()));
            }
            case SessionService.Opened.Open o -> session = o.session();
        }
        LiveSessions.Live live = runtime.live().live(session.sessionId());
        live.replayEvents(config.stream().replayEvents());
        AtomicReference<LiveSessions.Live.EventStream> attached = new AtomicReference<>();
        AtomicReference<SsePublisher> self = new AtomicReference<>();
        SsePublisher connection = new SsePublisher(LiveSessions.MAX_QUEUED, () -> {
            LiveSessions.Live.EventStream s = attached.get();
            if (s != null) {
                s.detach(self.get());
            }
        });
        self.set(connection);
        Optional<String> lastEventId = request.header("last-event-id");
        if (lastEventId.isPresent()) {
            Optional<LiveSessions.Live.EventStream> resumed = live.resume(lastEventId.get(), connection);
            if (resumed.isPresent()) {
                attached.set(resumed.get());
                return done(LaneResponse.streamed(200, SSE, connection));
            }
            LOG.info(
                    "mcp-gateway: Last-Event-ID of session {} unknown on this node; a fresh stream, nothing "
                            + "replayed",
                    session.sessionId());
        }
        attached.set(live.openGet(connection, priming(session)));
        listenUpstream(config, principal, session, live);
        return done(LaneResponse.streamed(200, SSE, connection));
    }

    /** Opens each upstream's GET stream once per session and node; what they send goes to the client's GET stream. */
    private void listenUpstream(
            McpGatewayConfig config, String principal, SessionContext session, LiveSessions.Live live) {
        if (!live.startListening()) {
            return;
        }
        RequestScope scope = new RequestScope(config, principal, session, live::toGetStream);
        for (McpGatewayConfig.Upstream upstream : config.upstreams()) {
            runtime.upstreamSessions().current(session, upstream).ifPresent(s -> {
                AtomicReference<UpstreamStreams.Stream> handle = new AtomicReference<>();
                runtime.upstreamStreams()
                        .listen(
                                upstream,
                                s,
                                config.maxResultBytes(),
                                runtime.relay().forStream(scope, upstream, s),
                                () -> {
                                    UpstreamStreams.Stream h = handle.get();
                                    if (h != null) {
                                        live.upstreamStreamEnded(h);
                                    }
                                })
                        .thenAccept(opened -> opened.ifPresent(h -> {
                            handle.set(h);
                            live.addUpstreamStream(h);
                        }));
            });
        }
    }

    // ---------------------------------------------------------------- helpers

    private static boolean priming(SessionContext session) {
        return session.protocolVersion().compareTo(PRIMING_VERSION) >= 0;
    }

    private static Headers json() {
        return Headers.of("content-type", "application/json");
    }

    private LaneResponse refusal(HttpGuard.Refusal refusal) {
        return whole(refusal.status(), json(), JsonRpcMessage.Response.failure(refusal.id(), refusal.error()));
    }

    private LaneResponse whole(int status, Headers headers, JsonRpcMessage message) {
        return LaneResponse.whole(status, headers, Body.of(new String(codec.encode(message), StandardCharsets.UTF_8)));
    }

    private static CompletionStage<LaneResponse> done(LaneResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
