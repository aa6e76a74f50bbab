package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.a6suite.http.OutboundRequest;
import org.a6suite.http.SecretRedactor;
import org.a6suite.http.codec.SseDecoder;
import org.a6suite.http.codec.SseEvent;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway as a client of upstream MCP servers over Streamable HTTP: one POST per JSON-RPC message, answers read
 * as {@code application/json} or as an SSE stream carrying the response. Only the configured upstream URL is ever
 * contacted; the client's own credentials are never forwarded, only the upstream's configured headers.
 */
public final class UpstreamClient {

    /** The protocol version the gateway offers upstream. */
    public static final String OFFERED_VERSION = ProtocolVersions.LATEST;

    /** A DELETE's answer is not used; read a little of it so the connection can be reused, no more. */
    private static final int DELETE_ANSWER_BYTES = 64 * 1024;

    private final Outbound outbound;
    private final JsonRpcCodec codec;
    private final ObjectMapper mapper;
    private final AtomicLong ids = new AtomicLong();

    Outbound outbound() {
        return outbound;
    }

    public UpstreamClient(Outbound outbound, JsonRpcCodec codec, ObjectMapper mapper) {
        this.outbound = requireNonNull(outbound, "outbound");
        this.codec = requireNonNull(codec, "codec");
        this.mapper = requireNonNull(mapper, "mapper");
    }

    /**
     * An upstream session: its id (absent for a session-less server), the version it negotiated and the features its
     * InitializeResult declared (absent when unknown: a session sealed before features were recorded).
     */
    public record Session(Optional<String> id, String protocolVersion, Optional<Set<ServerFeature>> features) {
        public Session {
            requireNonNull(id, "id");
            requireNonNull(protocolVersion, "protocolVersion");
            features = requireNonNull(features, "features").map(Set::copyOf);
        }

        /** Whether the upstream declared {@code feature}; unknown features count as offered (the upstream decides). */
        public boolean mayOffer(ServerFeature feature) {
            return features.map(f -> f.contains(feature)).orElse(true);
        }

        /**
         * The form kept in the sealed client session: {@code version;features|id} ({@code version|id} from runners
         * that did not record features still opens, with features unknown). The id is last: it may hold any visible
         * character, {@code |} included.
         */
        public String encode() {
            return protocolVersion
                    + features.map(f -> ";" + ServerFeature.encode(f)).orElse("") + "|" + id.orElse("");
        }

        public static Optional<Session> decode(String value) {
            int bar = value.indexOf('|');
            if (bar <= 0) {
                return Optional.empty();
            }
            String id = value.substring(bar + 1);
            String head = value.substring(0, bar);
            int semi = head.indexOf(';');
            Optional<Set<ServerFeature>> features =
                    semi < 0 ? Optional.empty() : ServerFeature.decode(head.substring(semi + 1));
            return Optional.of(new Session(
                    id.isEmpty() ? Optional.empty() : Optional.of(id),
                    semi < 0 ? head : head.substring(0, semi),
                    features));
        }
    }

    /** The upstream failed in a way the caller may want to tell apart. */
    public static final class UpstreamException extends RuntimeException {
        private final Kind kind;
        private final Optional<JsonRpcError> rpcError;

        /** What went wrong. */
        public enum Kind {
            SESSION_LOST,
            RPC_ERROR,
            HTTP_STATUS,
            MALFORMED
        }

        UpstreamException(Kind kind, String message, Optional<JsonRpcError> rpcError) {
            super(message, null, false, false);
            this.kind = kind;
            this.rpcError = rpcError;
        }

        public Kind kind() {
            return kind;
        }

        public Optional<JsonRpcError> rpcError() {
            return rpcError;
        }
    }

    /**
     * What an upstream sends the gateway besides the result of a request: notifications and server-to-client
     * requests, read from the request's SSE answer or from a GET stream as they arrive. Called on the outbound
     * client's event loop: must not block.
     */
    public interface Listener {
        /** No listener: whatever arrives before the result is dropped. */
        Listener NONE = new Listener() {};

        /** The id the gateway gave its request upstream (what a {@code notifications/cancelled} must name). */
        default void sent(JsonRpcId upstreamId) {}

        /** A notification or a server-to-client request. */
        default void message(JsonRpcMessage message) {}
    }

    /** initialize declaring no client capability, then notifications/initialized. */
    public CompletionStage<Session> initialize(
            McpGatewayConfig.Upstream upstream, String clientName, String clientVersion, int maxBytes) {
        return initialize(upstream, clientName, clientVersion, maxBytes, mapper.createObjectNode());
    }

    /**
     * initialize, then notifications/initialized. {@code capabilities} are the client capabilities the gateway
     * declares upstream: only those it can relay (sampling, elicitation, roots the client itself declared).
     */
    public CompletionStage<Session> initialize(
            McpGatewayConfig.Upstream upstream,
            String clientName,
            String clientVersion,
            int maxBytes,
            ObjectNode capabilities) {
        ObjectNode params = mapper.createObjectNode();
        params.put("protocolVersion", OFFERED_VERSION);
        params.set("capabilities", capabilities.deepCopy());
        params.putObject("clientInfo").put("name", clientName).put("version", clientVersion);
        JsonRpcMessage.Request request =
                new JsonRpcMessage.Request(JsonRpcId.of(ids.incrementAndGet()), "initialize", Optional.of(params));
        return exchange(upstream, Optional.empty(), OFFERED_VERSION, request, maxBytes, 1, Listener.NONE)
                .thenCompose(answer -> {
                    String version = answer.result().path("protocolVersion").asString(OFFERED_VERSION);
                    Session session = new Session(
                            answer.sessionId(),
                            version,
                            Optional.of(ServerFeature.fromCapabilities(
                                    answer.result().path("capabilities"))));
                    JsonRpcMessage.Notification initialized =
                            new JsonRpcMessage.Notification("notifications/initialized", Optional.empty());
                    return post(upstream, session.id(), version, initialized, maxBytes, 1, chunk -> {})
                            .thenApply(r -> session);
                });
    }

    /**
     * Requests that only read (lists, reads, prompts, completions) and may be sent twice when the first attempt fails
     * in transit; everything else (tools/call, subscriptions, logging/setLevel) is one POST the upstream may act on.
     */
    private static final Set<String> SAFE_METHODS = Set.of(
            "tools/list",
            "resources/list",
            "resources/templates/list",
            "resources/read",
            "prompts/list",
            "prompts/get",
            "completion/complete");

    /** Sends a request and returns its result; read-only methods may be retried once, others never. */
    public CompletionStage<JsonNode> request(
            McpGatewayConfig.Upstream upstream, Session session, String method, JsonNode params, int maxBytes) {
        return request(upstream, session, method, params, maxBytes, Listener.NONE);
    }

    /** As {@link #request(McpGatewayConfig.Upstream, Session, String, JsonNode, int)}, telling {@code listener}. */
    public CompletionStage<JsonNode> request(
            McpGatewayConfig.Upstream upstream,
            Session session,
            String method,
            JsonNode params,
            int maxBytes,
            Listener listener) {
        JsonRpcMessage.Request request =
                new JsonRpcMessage.Request(JsonRpcId.of(ids.incrementAndGet()), method, Optional.ofNullable(params));
        int attempts = SAFE_METHODS.contains(method) ? 2 : 1;
        return exchange(upstream, session.id(), session.protocolVersion(), request, maxBytes, attempts, listener)
                .thenApply(Answer::result);
    }

    /**
     * Posts a notification or a response (the client's answer to a server-to-client request) upstream; the upstream
     * answers 202. Best effort: a failure is logged by the caller, never retried (the upstream may have acted).
     */
    public CompletionStage<Void> send(McpGatewayConfig.Upstream upstream, Session session, JsonRpcMessage message) {
        return post(upstream, session.id(), session.protocolVersion(), message, DELETE_ANSWER_BYTES, 1, chunk -> {})
                .thenApply(reply -> {
                    if (reply.status() / 100 != 2) {
                        throw new UpstreamException(
                                UpstreamException.Kind.HTTP_STATUS,
                                "upstream " + upstream.name() + " answered HTTP " + reply.status(),
                                Optional.empty());
                    }
                    return null;
                });
    }

    /** Hands a decoded notification or request to {@code listener}; responses are the caller's business. */
    void dispatch(SseEvent event, Listener listener) {
        if (event.data().isEmpty()) {
            return;
        }
        if (codec.decode(event.data().getBytes(StandardCharsets.UTF_8)) instanceof JsonRpcCodec.Decoded.Valid v
                && !(v.message() instanceof JsonRpcMessage.Response)) {
            try {
                listener.message(v.message());
            } catch (RuntimeException e) {
                // A relay failure must not stop the upstream's stream.
            }
        }
    }

    /** Ends an upstream session (best effort; failures are ignored). */
    public CompletionStage<Void> delete(McpGatewayConfig.Upstream upstream, Session session) {
        if (session.id().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        OutboundRequest.Builder request = base("DELETE", upstream, session.id(), session.protocolVersion());
        return outbound.send(
                        "mcp/upstream/" + upstream.name(), request, DELETE_ANSWER_BYTES, upstream.timeout(), 1, false)
                .handle((r, e) -> null);
    }

    private record Answer(JsonNode result, Optional<String> sessionId) {}

    private CompletionStage<Answer> exchange(
            McpGatewayConfig.Upstream upstream,
            Optional<String> sessionId,
            String version,
            JsonRpcMessage.Request request,
            int maxBytes,
            int attempts,
            Listener listener) {
        listener.sent(request.id());
        SseDecoder parser = new SseDecoder(maxBytes);
        return post(
                        upstream,
                        sessionId,
                        version,
                        request,
                        maxBytes,
                        attempts,
                        chunk -> parser.feed(chunk, event -> dispatch(event, listener)))
                .thenApply(response -> {
                    if (response.status() == 404 && sessionId.isPresent()) {
                        throw new UpstreamException(
                                UpstreamException.Kind.SESSION_LOST,
                                "upstream " + upstream.name() + " lost the session",
                                Optional.empty());
                    }
                    if (response.status() / 100 != 2) {
                        throw new UpstreamException(
                                UpstreamException.Kind.HTTP_STATUS,
                                "upstream " + upstream.name() + " answered HTTP " + response.status(),
                                Optional.empty());
                    }
                    String contentType =
                            response.headers().firstValue("content-type").orElse("");
                    Optional<JsonRpcMessage.Response> message = contentType.startsWith("text/event-stream")
                            ? fromEventStream(response.body(), request.id())
                            : fromJson(response.body(), request.id());
                    JsonRpcMessage.Response answer = message.orElseThrow(() -> new UpstreamException(
                            UpstreamException.Kind.MALFORMED,
                            "upstream " + upstream.name() + " sent no response to " + request.method(),
                            Optional.empty()));
                    if (answer.error().isPresent()) {
                        // An upstream's error text reaches the client: never with the credentials the gateway sent it.
                        SecretRedactor redactor =
                                new SecretRedactor(() -> upstream.headers().values());
                        JsonRpcError raw = answer.error().get();
                        JsonRpcError error = new JsonRpcError(
                                raw.code(),
                                redactor.redact(raw.message()),
                                raw.data()
                                        .map(d -> d.isString()
                                                ? mapper.getNodeFactory().stringNode(redactor.redact(d.asString()))
                                                : d));
                        throw new UpstreamException(
                                UpstreamException.Kind.RPC_ERROR,
                                "upstream " + upstream.name() + " error " + error.code() + ": " + error.message(),
                                Optional.of(error));
                    }
                    return new Answer(
                            answer.result().orElseThrow(),
                            response.headers().firstValue("mcp-session-id").or(() -> sessionId));
                });
    }

    private CompletionStage<Outbound.Reply> post(
            McpGatewayConfig.Upstream upstream,
            Optional<String> sessionId,
            String version,
            JsonRpcMessage message,
            int maxBytes,
            int attempts,
            Consumer<ByteBuffer> onChunk) {
        OutboundRequest.Builder request = base("POST", upstream, sessionId, version)
                .header("content-type", "application/json")
                .body(codec.encode(message))
                // Read-only methods may be sent twice (attempts > 1); everything else is one POST the upstream may
                // act on.
                .idempotent(attempts > 1);
        return outbound.send(
                "mcp/upstream/" + upstream.name(), request, maxBytes, upstream.timeout(), attempts, true, onChunk);
    }

    /** Headers in the order of precedence the JDK client's setHeader gave: defaults, upstream's, session id. */
    static OutboundRequest.Builder base(
            String method, McpGatewayConfig.Upstream upstream, Optional<String> sessionId, String version) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("accept", "application/json, text/event-stream");
        headers.put("mcp-protocol-version", version);
        upstream.headers().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        sessionId.ifPresent(id -> headers.put("mcp-session-id", id));
        OutboundRequest.Builder b = OutboundRequest.builder(method, upstream.url());
        headers.forEach(b::header);
        return b;
    }

    private Optional<JsonRpcMessage.Response> fromJson(byte[] body, JsonRpcId id) {
        if (body.length == 0) {
            return Optional.empty();
        }
        return asResponse(codec.decode(body), id);
    }

    /** Decodes the SSE answer (WHATWG event-stream rules) and returns the response matching {@code id}. */
    private Optional<JsonRpcMessage.Response> fromEventStream(byte[] body, JsonRpcId id) {
        for (SseEvent event : SseDecoder.decodeAll(body)) {
            if (!event.data().isEmpty()) {
                Optional<JsonRpcMessage.Response> r =
                        asResponse(codec.decode(event.data().getBytes(StandardCharsets.UTF_8)), id);
                if (r.isPresent()) {
                    return r;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<JsonRpcMessage.Response> asResponse(JsonRpcCodec.Decoded decoded, JsonRpcId id) {
        if (decoded instanceof JsonRpcCodec.Decoded.Valid(JsonRpcMessage.Response r)
                && r.id().map(i -> i.node().asString().equals(id.node().asString()))
                        .orElse(false)) {
            return Optional.of(r);
        }
        return Optional.empty();
    }
}
