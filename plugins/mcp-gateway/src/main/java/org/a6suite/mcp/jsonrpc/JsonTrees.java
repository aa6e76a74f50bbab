package org.a6suite.mcp.jsonrpc;

import static java.util.Objects.requireNonNull;

import java.io.StringWriter;
import java.util.Map;
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
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.POJONode;
import tools.jackson.databind.util.RawValue;

/**
 * Reads one JSON value from a streaming parser into a tree, and writes a tree to a generator, without the per-call
 * {@code DeserializationContext}/{@code SerializationContext} the mapper creates for {@code readTree} and
 * {@code writeValueAsBytes}. The nodes are those the mapper's default tree reading gives (an integer is an int, a
 * long or a big-integer node by size, a fraction a double node, a repeated member keeps its last value), and the
 * bytes written are those the mapper writes; {@code JsonRpcStreamingTest} pins both against the mapper. Hand-written
 * because Jackson's own tree codec is only reachable through those contexts.
 */
public final class JsonTrees {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectMapper mapper;
    private final TokenStreamFactory factory;
    private final boolean failOnTrailingTokens;

    /** Reads and writes with {@code mapper}'s factory (its read constraints) and its trailing-token rule. */
    public JsonTrees(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.factory = mapper.tokenStreamFactory();
        this.failOnTrailingTokens =
                mapper.deserializationConfig().isEnabled(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** As {@code mapper.readTree(bytes)}: a missing node for no content; throws for content that is not JSON. */
    public JsonNode readTree(byte[] bytes) {
        try (JsonParser p = factory.createParser(ObjectReadContext.empty(), bytes)) {
            if (p.nextToken() == null) {
                return MissingNode.getInstance();
            }
            JsonNode node = read(p);
            if (failOnTrailingTokens && p.nextToken() != null) {
                // Rare: the mapper reads it again and fails with its own exception, as before.
                throw new IllegalStateException("trailing content");
            }
            return node;
        } catch (IllegalStateException e) {
            return mapper.readTree(bytes);
        }
    }

    /** As {@code mapper.writeValueAsString(node)}. */
    public String writeString(JsonNode node) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = factory.createGenerator(ObjectWriteContext.empty(), out)) {
            write(g, node);
        } catch (Unsupported e) {
            return mapper.writeValueAsString(node);
        }
        return out.toString();
    }

    /** The value starting at the parser's current token; the parser is left on its last token. */
    static JsonNode read(JsonParser p) {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> readObject(p);
            case START_ARRAY -> readArray(p);
            default -> scalar(p, t);
        };
    }

    private static ObjectNode readObject(JsonParser p) {
        ObjectNode object = NODES.objectNode();
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            p.nextToken();
            object.set(name, read(p));
        }
        return object;
    }

    private static ArrayNode readArray(JsonParser p) {
        ArrayNode array = NODES.arrayNode();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            array.add(read(p));
        }
        return array;
    }

    private static JsonNode scalar(JsonParser p, JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> NODES.stringNode(p.getString());
            case VALUE_NUMBER_INT ->
                switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IllegalStateException("unexpected token " + t);
        };
    }

    /** A node this writer does not handle (a POJO other than a raw value, binary): the caller uses the mapper. */
    static final class Unsupported extends RuntimeException {
        Unsupported() {
            super("node type not written by JsonTrees", null, false, false);
        }
    }

    /** Writes {@code node} as the mapper would; throws {@link Unsupported} for a node type it does not write. */
    static void write(JsonGenerator g, JsonNode node) {
        switch (node) {
            case ObjectNode object -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : object.properties()) {
                    g.writeName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ArrayNode array -> {
                g.writeStartArray();
                for (JsonNode item : array) {
                    write(g, item);
                }
                g.writeEndArray();
            }
            case POJONode pojo
            when pojo.getPojo() instanceof RawValue raw && raw.rawValue() instanceof String text ->
                g.writeRawValue(text);
            default -> scalar(g, node);
        }
    }

    private static void scalar(JsonGenerator g, JsonNode node) {
        switch (node.getNodeType()) {
            case STRING -> g.writeString(node.stringValue());
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL -> g.writeNull();
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> g.writeNumber(node.intValue());
                    case LONG -> g.writeNumber(node.longValue());
                    case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
                    case FLOAT -> g.writeNumber(node.floatValue());
                    case DOUBLE -> g.writeNumber(node.doubleValue());
                    case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
                    default -> throw new Unsupported();
                }
            }
            default -> throw new Unsupported();
        }
    }
}
