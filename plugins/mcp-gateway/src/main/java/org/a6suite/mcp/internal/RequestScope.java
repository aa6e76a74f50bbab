package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import org.a6suite.mcp.McpGatewayConfig;

/**
 * The facts of one client request, resolved once by a front end: the route's configuration, the consumer, the opened
 * session and where messages before the result go.
 */
public record RequestScope(McpGatewayConfig config, String principal, SessionContext session, Outlet outlet) {

    public RequestScope {
        requireNonNull(config, "config");
        requireNonNull(principal, "principal");
        requireNonNull(session, "session");
        requireNonNull(outlet, "outlet");
    }
}
