package org.a6suite.mcp.jsonrpc;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The {@code error} member of a JSON-RPC response.
 *
 * @param code    one of the standard codes below, or a server-defined one
 * @param message a short sentence that says what was wrong; never secrets or backend internals
 * @param data    optional details
 */
public record JsonRpcError(int code, String message, Optional<JsonNode> data) {

    /** The body was not JSON. */
    public static final int PARSE_ERROR = -32700;
    /** JSON, but not a valid single JSON-RPC 2.0 message (arrays/batches included, since MCP 2025-06-18). */
    public static final int INVALID_REQUEST = -32600;

    public static final int METHOD_NOT_FOUND = -32601;
    /** Bad params, an unknown tool or a bad pagination cursor. */
    public static final int INVALID_PARAMS = -32602;

    public static final int INTERNAL_ERROR = -32603;

    public JsonRpcError {
        requireNonNull(message, "message");
        requireNonNull(data, "data");
    }

    public static JsonRpcError of(int code, String message) {
        return new JsonRpcError(code, message, Optional.empty());
    }

    public static JsonRpcError parseError(String message) {
        return of(PARSE_ERROR, message);
    }

    public static JsonRpcError invalidRequest(String message) {
        return of(INVALID_REQUEST, message);
    }

    public static JsonRpcError methodNotFound(String method) {
        return of(METHOD_NOT_FOUND, "method not found: " + method);
    }

    public static JsonRpcError invalidParams(String message) {
        return of(INVALID_PARAMS, message);
    }

    public static JsonRpcError internalError(String message) {
        return of(INTERNAL_ERROR, message);
    }
}
