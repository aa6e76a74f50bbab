package org.a6suite.mcp.jsonrpc;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates between bytes and {@link JsonRpcMessage}s; it knows JSON-RPC 2.0 and nothing of MCP.
 *
 * <p>Decoding never throws for bad input: it returns a {@link Decoded.Invalid} carrying the JSON-RPC error to send
 * back and, when it could be read, the offending message's id. Batches (JSON arrays) are refused with
 * {@code -32600}, as MCP 2025-06-18 and later require.
 */
public final class JsonRpcCodec {

    private final ObjectMapper mapper;

    public JsonRpcCodec(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
    }

    /** The result of decoding one body. */
    public sealed interface Decoded {
        record Valid(JsonRpcMessage message) implements Decoded {}

        record Invalid(Optional<JsonRpcId> id, JsonRpcError error) implements Decoded {}
    }

    public Decoded decode(byte[] body) {
        requireNonNull(body, "body");
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            return invalid(Optional.empty(), JsonRpcError.parseError("parse error: the body is not valid JSON"));
        }
        if (root == null || root.isMissingNode()) {
            return invalid(Optional.empty(), JsonRpcError.parseError("parse error: the body is empty"));
        }
        return decode(root);
    }

    /** Decodes an already parsed JSON value. */
    public Decoded decode(JsonNode root) {
        if (root.isArray()) {
            return invalid(
                    Optional.empty(),
                    JsonRpcError.invalidRequest(
                            "invalid request: JSON-RPC batches are not supported (expected: one JSON object per POST)"));
        }
        if (!root.isObject()) {
            return invalid(Optional.empty(), JsonRpcError.invalidRequest("invalid request: body is not a JSON object"));
        }
        JsonNode idNode = root.get("id");
        Optional<JsonRpcId> id = JsonRpcId.isValid(idNode) ? Optional.of(new JsonRpcId(idNode)) : Optional.empty();
        JsonNode version = root.get("jsonrpc");
        if (version == null || !version.isString() || !"2.0".equals(version.stringValue())) {
            return invalid(
                    id, JsonRpcError.invalidRequest("invalid request: jsonrpc: " + version + " (expected: \"2.0\")"));
        }
        if (idNode != null && !idNode.isNull() && id.isEmpty()) {
            return invalid(
                    Optional.empty(),
                    JsonRpcError.invalidRequest(
                            "invalid request: id: " + idNode + " (expected: a string or an integer)"));
        }
        if (idNode != null && idNode.isNull()) {
            return invalid(
                    Optional.empty(),
                    JsonRpcError.invalidRequest("invalid request: id: null (expected: a string or an " + "integer)"));
        }
        JsonNode method = root.get("method");
        if (method != null) {
            if (!method.isString() || method.stringValue().isEmpty()) {
                return invalid(
                        id,
                        JsonRpcError.invalidRequest(
                                "invalid request: method: " + method + " (expected: a non-empty string)"));
            }
            JsonNode params = root.get("params");
            if (params != null && !params.isObject() && !params.isArray()) {
                return invalid(
                        id,
                        JsonRpcError.invalidRequest("invalid request: params: " + params.getNodeType()
                                + " (expected: an object or an array)"));
            }
            Optional<JsonNode> p = Optional.ofNullable(params);
            return new Decoded.Valid(id.<JsonRpcMessage>map(i -> new JsonRpcMessage.Request(i, method.stringValue(), p))
                    .orElseGet(() -> new JsonRpcMessage.Notification(method.stringValue(), p)));
        }
        JsonNode result = root.get("result");
        JsonNode error = root.get("error");
        if ((result == null) == (error == null)) {
            return invalid(
                    id,
                    JsonRpcError.invalidRequest(
                            "invalid request: neither a request (method) nor a response (exactly one of result, error)"));
        }
        if (error != null) {
            if (!error.isObject() || !error.path("code").isIntegralNumber()) {
                return invalid(id, JsonRpcError.invalidRequest("invalid request: error: malformed error object"));
            }
            JsonRpcError e = new JsonRpcError(
                    error.get("code").intValue(),
                    error.path("message").asString(""),
                    Optional.ofNullable(error.get("data")));
            return new Decoded.Valid(JsonRpcMessage.Response.failure(id, e));
        }
        if (id.isEmpty()) {
            return invalid(Optional.empty(), JsonRpcError.invalidRequest("invalid request: a result without an id"));
        }
        return new Decoded.Valid(JsonRpcMessage.Response.success(id.get(), result));
    }

    public byte[] encode(JsonRpcMessage message) {
        return mapper.writeValueAsBytes(toJson(message));
    }

    public ObjectNode toJson(JsonRpcMessage message) {
        ObjectNode node = mapper.createObjectNode();
        node.put("jsonrpc", "2.0");
        switch (message) {
            case JsonRpcMessage.Request r -> {
                node.set("id", r.id().node());
                node.put("method", r.method());
                r.params().ifPresent(p -> node.set("params", p));
            }
            case JsonRpcMessage.Notification n -> {
                node.put("method", n.method());
                n.params().ifPresent(p -> node.set("params", p));
            }
            case JsonRpcMessage.Response r -> {
                node.set(
                        "id",
                        r.id().map(JsonRpcId::node)
                                .orElse(tools.jackson.databind.node.JsonNodeFactory.instance.nullNode()));
                r.result().ifPresent(res -> node.set("result", res));
                r.error().ifPresent(e -> {
                    ObjectNode err = node.putObject("error");
                    err.put("code", e.code());
                    err.put("message", e.message());
                    e.data().ifPresent(d -> err.set("data", d));
                });
            }
        }
        return node;
    }

    private static Decoded invalid(Optional<JsonRpcId> id, JsonRpcError error) {
        return new Decoded.Invalid(id, error);
    }
}
