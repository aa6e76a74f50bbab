package org.a6suite.mcp.jsonrpc;

import static java.util.Objects.requireNonNull;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A JSON-RPC request id: a string or an integer (MCP forbids {@code null} ids). Kept as the JSON node it arrived as,
 * so a response echoes exactly what the client sent ({@code 1} stays a number, {@code "1"} stays a string).
 */
public record JsonRpcId(JsonNode node) {

    public JsonRpcId {
        requireNonNull(node, "node");
        if (!node.isString() && !node.isIntegralNumber()) {
            throw new IllegalArgumentException("id: " + node + " (expected: a string or an integer)");
        }
    }

    public static JsonRpcId of(long id) {
        return new JsonRpcId(JsonNodeFactory.instance.numberNode(id));
    }

    public static JsonRpcId of(String id) {
        return new JsonRpcId(JsonNodeFactory.instance.stringNode(id));
    }

    /** Whether {@code node} may be an id. */
    public static boolean isValid(JsonNode node) {
        return node != null && (node.isString() || node.isIntegralNumber());
    }

    /** Ids are equal when both are strings or both integers with the same text ({@code 7} int equals {@code 7} long). */
    @Override
    public boolean equals(Object o) {
        return o instanceof JsonRpcId other
                && node.isString() == other.node.isString()
                && node.asString().equals(other.node.asString());
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(node.isString()) * 31 + node.asString().hashCode();
    }

    @Override
    public String toString() {
        return node.toString();
    }
}
