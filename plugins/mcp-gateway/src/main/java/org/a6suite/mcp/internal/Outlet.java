package org.a6suite.mcp.internal;

import org.a6suite.mcp.jsonrpc.JsonRpcMessage;

/**
 * Where the messages a client request produces before its result go: progress and log notifications, relayed
 * server-to-client requests. On the lane they become SSE events of the request's POST stream (or of the session's
 * GET stream); in invoke mode, which answers whole JSON bodies, nothing can reach the client before the result.
 */
@FunctionalInterface
public interface Outlet {

    /** Invoke mode: nothing reaches the client before the result. */
    Outlet NONE = message -> false;

    /** Sends {@code message} to the client; false when it cannot reach the client (then the caller decides). */
    boolean send(JsonRpcMessage message);
}
