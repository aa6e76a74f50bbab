package org.a6suite.mcp.jsonrpc;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates between bytes and {@link JsonRpcMessage}s; it knows JSON-RPC 2.0 and nothing of MCP.
 *
 * <p>Decoding never throws for bad input: it returns a {@link Decoded.Invalid} carrying the JSON-RPC error to send
 * back and, when it could be read, the offending message's id. Batches (JSON arrays) are refused with
 * {@code -32600}, as MCP 2025-06-18 and later require.
 *
 * <p>Bodies are read with the streaming parser of the mapper's factory: only the six JSON-RPC members become nodes
 * ({@code params}, {@code result} and {@code error} whole, as handlers use them), other members are skipped, and no
 * tree of the whole message or per-call mapper context is made. Answers are written the same way. Both give exactly
 * what the mapper's {@code readTree}/{@code writeValueAsBytes} gave (pinned by {@code JsonRpcStreamingTest}); a node
 * the writer does not know is written by the mapper.
 */
public final class JsonRpcCodec {

    private static final Read EMPTY = new Read.Empty();
    private static final Read MALFORMED = new Read.Malformed();

    private final ObjectMapper mapper;
    private final TokenStreamFactory factory;
    /** As the mapper's {@code readTree}: content after the value makes the body invalid JSON. */
    private final boolean failOnTrailingTokens;

    public JsonRpcCodec(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.factory = mapper.tokenStreamFactory();
        this.failOnTrailingTokens =
                mapper.deserializationConfig().isEnabled(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** What a body holds, read with the streaming parser. */
    public sealed interface Read {
        /** No JSON value at all (nothing or only whitespace). */
        record Empty() implements Read {}

        /** Not valid JSON (or beyond the factory's read constraints). */
        record Malformed() implements Read {}

        /** A JSON array (a batch), as a tree: each member is decoded with {@link #decode(JsonNode)}. */
        record Batch(ArrayNode items) implements Read {}

        /** Any other JSON value, decoded. */
        record Single(Decoded decoded) implements Read {}
    }

    /** Reads one body from {@code in}, which it closes. */
    public Read read(InputStream in) {
        requireNonNull(in, "in");
        try (JsonParser p = factory.createParser(ObjectReadContext.empty(), in)) {
            return read(p);
        } catch (JacksonException e) {
            return MALFORMED;
        }
    }

    /** Reads one body. */
    public Read read(byte[] body) {
        requireNonNull(body, "body");
        try (JsonParser p = factory.createParser(ObjectReadContext.empty(), body)) {
            return read(p);
        } catch (JacksonException e) {
            return MALFORMED;
        }
    }

    private Read read(JsonParser p) {
        JsonToken first = p.nextToken();
        if (first == null) {
            return EMPTY;
        }
        Read read;
        if (first == JsonToken.START_ARRAY) {
            read = new Read.Batch((ArrayNode) JsonTrees.read(p));
        } else if (first == JsonToken.START_OBJECT) {
            read = new Read.Single(decodeObject(p));
        } else {
            JsonTrees.read(p);
            read = new Read.Single(notAnObject());
        }
        if (failOnTrailingTokens && p.nextToken() != null) {
            return MALFORMED;
        }
        return read;
    }

    /** The object the parser is at; the members are all read before deciding, so a later syntax error wins. */
    private Decoded decodeObject(JsonParser p) {
        JsonNode version = null;
        JsonNode id = null;
        JsonNode method = null;
        JsonNode params = null;
        JsonNode result = null;
        JsonNode error = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            p.nextToken();
            switch (name) {
                case "jsonrpc" -> version = JsonTrees.read(p);
                case "id" -> id = JsonTrees.read(p);
                case "method" -> method = JsonTrees.read(p);
                case "params" -> params = JsonTrees.read(p);
                case "result" -> result = JsonTrees.read(p);
                case "error" -> error = JsonTrees.read(p);
                default -> p.skipChildren();
            }
        }
        return decodeMembers(version, id, method, params, result, error);
    }

    /** The result of decoding one body. */
    public sealed interface Decoded {
        record Valid(JsonRpcMessage message) implements Decoded {}

        record Invalid(Optional<JsonRpcId> id, JsonRpcError error) implements Decoded {}
    }

    public Decoded decode(byte[] body) {
        return switch (read(body)) {
            case Read.Empty e -> invalid(Optional.empty(), JsonRpcError.parseError("parse error: the body is empty"));
            case Read.Malformed m ->
                invalid(Optional.empty(), JsonRpcError.parseError("parse error: the body is not valid JSON"));
            case Read.Batch b -> batchRefused();
            case Read.Single single -> single.decoded();
        };
    }

    /** Decodes an already parsed JSON value. */
    public Decoded decode(JsonNode root) {
        if (root.isArray()) {
            return batchRefused();
        }
        if (!root.isObject()) {
            return notAnObject();
        }
        return decodeMembers(
                root.get("jsonrpc"),
                root.get("id"),
                root.get("method"),
                root.get("params"),
                root.get("result"),
                root.get("error"));
    }

    private static Decoded batchRefused() {
        return invalid(
                Optional.empty(),
                JsonRpcError.invalidRequest(
                        "invalid request: JSON-RPC batches are not supported (expected: one JSON object per POST)"));
    }

    private static Decoded notAnObject() {
        return invalid(Optional.empty(), JsonRpcError.invalidRequest("invalid request: body is not a JSON object"));
    }

    /** One object's JSON-RPC members (null: absent), whichever way they were read. */
    private static Decoded decodeMembers(
            JsonNode version, JsonNode idNode, JsonNode method, JsonNode params, JsonNode result, JsonNode error) {
        Optional<JsonRpcId> id = JsonRpcId.isValid(idNode) ? Optional.of(new JsonRpcId(idNode)) : Optional.empty();
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
        if (method != null) {
            if (!method.isString() || method.stringValue().isEmpty()) {
                return invalid(
                        id,
                        JsonRpcError.invalidRequest(
                                "invalid request: method: " + method + " (expected: a non-empty string)"));
            }
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = factory.createGenerator(ObjectWriteContext.empty(), out)) {
            write(g, message);
        } catch (JsonTrees.Unsupported e) {
            return mapper.writeValueAsBytes(toJson(message));
        }
        return out.toByteArray();
    }

    /** The members in {@link #toJson}'s order. */
    private static void write(JsonGenerator g, JsonRpcMessage message) {
        g.writeStartObject();
        g.writeStringProperty("jsonrpc", "2.0");
        switch (message) {
            case JsonRpcMessage.Request r -> {
                g.writeName("id");
                JsonTrees.write(g, r.id().node());
                g.writeStringProperty("method", r.method());
                if (r.params().isPresent()) {
                    g.writeName("params");
                    JsonTrees.write(g, r.params().get());
                }
            }
            case JsonRpcMessage.Notification n -> {
                g.writeStringProperty("method", n.method());
                if (n.params().isPresent()) {
                    g.writeName("params");
                    JsonTrees.write(g, n.params().get());
                }
            }
            case JsonRpcMessage.Response r -> {
                g.writeName("id");
                if (r.id().isPresent()) {
                    JsonTrees.write(g, r.id().get().node());
                } else {
                    g.writeNull();
                }
                if (r.result().isPresent()) {
                    g.writeName("result");
                    JsonTrees.write(g, r.result().get());
                }
                if (r.error().isPresent()) {
                    JsonRpcError e = r.error().get();
                    g.writeName("error");
                    g.writeStartObject();
                    g.writeNumberProperty("code", e.code());
                    g.writeStringProperty("message", e.message());
                    if (e.data().isPresent()) {
                        g.writeName("data");
                        JsonTrees.write(g, e.data().get());
                    }
                    g.writeEndObject();
                }
            }
        }
        g.writeEndObject();
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
