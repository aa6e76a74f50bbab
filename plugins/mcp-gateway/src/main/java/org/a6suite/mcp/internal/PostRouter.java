package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.RequestView;
import tools.jackson.databind.JsonNode;

/**
 * What a POST asks, decided the same way for both front ends: the HTTP checks, JSON-RPC decoding, initialize, the
 * session, then the client's notifications and responses handled at once and its requests handed back to be run
 * (the front end decides how their answers travel: one JSON body, or an SSE stream).
 *
 * <p>A JSON array is a JSON-RPC batch: accepted on sessions that negotiated {@code 2025-03-26} (that revision says
 * servers MUST), refused with 400 / -32600 on later ones, which removed batching.
 */
public final class PostRouter {

    /** The revision that had batches. */
    static final String BATCH_VERSION = "2025-03-26";

    private static final JsonRpcCodec.Read EMPTY = new JsonRpcCodec.Read.Empty();

    private final JsonRpcCodec codec;
    private final SessionService sessions;
    private final McpMethods methods;

    public PostRouter(JsonRpcCodec codec, SessionService sessions, McpMethods methods) {
        this.codec = requireNonNull(codec, "codec");
        this.sessions = requireNonNull(sessions, "sessions");
        this.methods = requireNonNull(methods, "methods");
    }

    /** What to do with one POST. */
    public sealed interface Plan {
        /** Refuse with an HTTP status and a JSON-RPC error body. */
        record Refuse(HttpGuard.Refusal refusal) implements Plan {}

        /** 202 Accepted, no body: only notifications and responses. */
        record Accept() implements Plan {}

        /** An initialize: its answer and the sealed session id. */
        record Initialize(CompletionStage<SessionService.Initialized> answer) implements Plan {}

        /**
         * Requests to run in {@code session}; {@code early} are answers already known (invalid batch members);
         * {@code batch} says the answer is a JSON array (or, streamed, one event per response).
         */
        record Run(
                SessionContext session,
                List<JsonRpcMessage.Request> requests,
                List<JsonRpcMessage.Response> early,
                boolean batch)
                implements Plan {}
    }

    public Plan plan(RequestView request, McpGatewayConfig config, String audience, String principal, boolean relays) {
        Optional<HttpGuard.Refusal> refused = HttpGuard.post(request, config);
        if (refused.isPresent()) {
            return new Plan.Refuse(refused.get());
        }
        // Read from the body's own bytes (no copy) with the streaming parser: a single message becomes only its
        // JSON-RPC members; only a batch is read as a tree.
        Body body = request.body().orElse(Body.EMPTY);
        JsonRpcCodec.Read read = body.isEmpty() ? EMPTY : codec.read(body.inputStream());
        JsonRpcMessage message;
        switch (read) {
            case JsonRpcCodec.Read.Empty e -> {
                return refuse(
                        400,
                        Optional.empty(),
                        JsonRpcError.parseError(
                                body.isEmpty()
                                        ? "parse error: the body is empty"
                                        : "parse error: the body is not valid JSON"));
            }
            case JsonRpcCodec.Read.Malformed m -> {
                return refuse(
                        400, Optional.empty(), JsonRpcError.parseError("parse error: the body is not valid JSON"));
            }
            case JsonRpcCodec.Read.Batch b -> {
                return batch(request, config, audience, principal, b.items());
            }
            case JsonRpcCodec.Read.Single(JsonRpcCodec.Decoded.Invalid invalid) -> {
                return refuse(400, invalid.id(), invalid.error());
            }
            case JsonRpcCodec.Read.Single(JsonRpcCodec.Decoded.Valid valid) -> message = valid.message();
        }
        if (message instanceof JsonRpcMessage.Request r && r.method().equals("initialize")) {
            return new Plan.Initialize(sessions.initialize(config, audience, principal, r, relays));
        }
        Optional<JsonRpcId> id = message instanceof JsonRpcMessage.Request r ? Optional.of(r.id()) : Optional.empty();
        SessionContext session;
        switch (sessions.open(request, config, audience, principal, id)) {
            case SessionService.Opened.Refused r -> {
                return new Plan.Refuse(r.refusal());
            }
            case SessionService.Opened.Open o -> session = o.session();
        }
        return switch (message) {
            case JsonRpcMessage.Notification n -> {
                methods.notification(session, n);
                yield new Plan.Accept();
            }
            case JsonRpcMessage.Response r -> {
                methods.response(session, r);
                yield new Plan.Accept();
            }
            case JsonRpcMessage.Request r -> new Plan.Run(session, List.of(r), List.of(), false);
        };
    }

    private Plan batch(RequestView request, McpGatewayConfig config, String audience, String principal, JsonNode root) {
        // The version header names the session's revision: a later one refuses batches before the session is opened.
        Optional<String> version = request.header("mcp-protocol-version");
        if (version.isPresent()
                && ProtocolVersions.isSupported(version.get())
                && !version.get().equals(BATCH_VERSION)) {
            return batchRefused(version.get());
        }
        SessionContext session;
        switch (sessions.open(request, config, audience, principal, Optional.empty())) {
            case SessionService.Opened.Refused r -> {
                return new Plan.Refuse(r.refusal());
            }
            case SessionService.Opened.Open o -> session = o.session();
        }
        if (!session.protocolVersion().equals(BATCH_VERSION)) {
            return batchRefused(session.protocolVersion());
        }
        if (root.isEmpty()) {
            return refuse(400, Optional.empty(), JsonRpcError.invalidRequest("invalid request: empty batch"));
        }
        List<JsonRpcMessage.Request> requests = new ArrayList<>();
        List<JsonRpcMessage.Response> early = new ArrayList<>();
        for (JsonNode item : root) {
            switch (codec.decode(item)) {
                case JsonRpcCodec.Decoded.Invalid invalid ->
                    early.add(JsonRpcMessage.Response.failure(invalid.id(), invalid.error()));
                case JsonRpcCodec.Decoded.Valid(JsonRpcMessage.Request r)
                when r.method().equals("initialize") ->
                    early.add(JsonRpcMessage.Response.failure(
                            Optional.of(r.id()),
                            JsonRpcError.invalidRequest("invalid request: initialize must not be part of a batch")));
                case JsonRpcCodec.Decoded.Valid(JsonRpcMessage.Request r) -> requests.add(r);
                case JsonRpcCodec.Decoded.Valid(JsonRpcMessage.Notification n) -> methods.notification(session, n);
                case JsonRpcCodec.Decoded.Valid(JsonRpcMessage.Response r) -> methods.response(session, r);
            }
        }
        if (requests.isEmpty() && early.isEmpty()) {
            return new Plan.Accept();
        }
        return new Plan.Run(session, requests, early, true);
    }

    private static Plan batchRefused(String version) {
        return refuse(
                400,
                Optional.empty(),
                JsonRpcError.invalidRequest("invalid request: JSON-RPC batches are not "
                        + "supported on protocol version " + version
                        + " (expected: one JSON object per POST; batches exist "
                        + "only in " + BATCH_VERSION + ")"));
    }

    private static Plan refuse(int status, Optional<JsonRpcId> id, JsonRpcError error) {
        return new Plan.Refuse(new HttpGuard.Refusal(status, id, error));
    }
}
