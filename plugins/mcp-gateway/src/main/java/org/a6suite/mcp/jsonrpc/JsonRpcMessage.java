package org.a6suite.mcp.jsonrpc;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * One JSON-RPC 2.0 message, as {@link JsonRpcCodec} decodes and encodes it. Handlers switch over this sealed family
 * instead of probing JSON members.
 */
public sealed interface JsonRpcMessage {

    /** A call that expects a response. */
    record Request(JsonRpcId id, String method, Optional<JsonNode> params) implements JsonRpcMessage {
        public Request {
            requireNonNull(id, "id");
            requireNonNull(method, "method");
            requireNonNull(params, "params");
        }
    }

    /** A call without an id: no response is ever sent. */
    record Notification(String method, Optional<JsonNode> params) implements JsonRpcMessage {
        public Notification {
            requireNonNull(method, "method");
            requireNonNull(params, "params");
        }
    }

    /**
     * A response: exactly one of {@code result} and {@code error} is present. {@code id} is empty only for an error
     * answering a message whose id could not be read (a parse error).
     */
    record Response(Optional<JsonRpcId> id, Optional<JsonNode> result, Optional<JsonRpcError> error)
            implements JsonRpcMessage {
        public Response {
            requireNonNull(id, "id");
            requireNonNull(result, "result");
            requireNonNull(error, "error");
            if (result.isPresent() == error.isPresent()) {
                throw new IllegalArgumentException("result/error: both or neither present (expected: exactly one)");
            }
        }

        public static Response success(JsonRpcId id, JsonNode result) {
            return new Response(Optional.of(id), Optional.of(result), Optional.empty());
        }

        public static Response failure(Optional<JsonRpcId> id, JsonRpcError error) {
            return new Response(id, Optional.empty(), Optional.of(error));
        }

        public boolean isError() {
            return error.isPresent();
        }
    }
}
