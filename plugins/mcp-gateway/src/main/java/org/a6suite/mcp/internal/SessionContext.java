package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * What a client session carries, sealed inside its {@code Mcp-Session-Id} so any runner on any node can serve it
 * without a shared store.
 *
 * @param sessionId        a random id for logs and node-local caches (never the sealed token itself)
 * @param protocolVersion  the negotiated MCP protocol version
 * @param clientName       {@code clientInfo.name} from initialize
 * @param clientVersion    {@code clientInfo.version} from initialize
 * @param principal        the consumer bound at initialize ({@code ""} when anonymous)
 * @param upstreamSessions upstream MCP server name to that server's session id
 * @param catalogHash      a hash of the catalog the client could see at initialize
 * @param expiresAt        after this instant the id no longer opens
 * @param relayed          the client capabilities the gateway relays and declares upstream (a JSON object's text:
 *                         {@code sampling}, {@code elicitation}, {@code roots} as the client declared them; {@code {}}
 *                         in invoke mode, which cannot relay server-to-client requests)
 */
public record SessionContext(
        String sessionId,
        String protocolVersion,
        String clientName,
        String clientVersion,
        String principal,
        Map<String, String> upstreamSessions,
        String catalogHash,
        Instant expiresAt,
        String relayed) {

    public SessionContext {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(protocolVersion, "protocolVersion");
        requireNonNull(clientName, "clientName");
        requireNonNull(clientVersion, "clientVersion");
        requireNonNull(principal, "principal");
        upstreamSessions = Map.copyOf(upstreamSessions);
        requireNonNull(catalogHash, "catalogHash");
        requireNonNull(expiresAt, "expiresAt");
        requireNonNull(relayed, "relayed");
    }

    /** A session relaying no client capability. */
    public SessionContext(
            String sessionId,
            String protocolVersion,
            String clientName,
            String clientVersion,
            String principal,
            Map<String, String> upstreamSessions,
            String catalogHash,
            Instant expiresAt) {
        this(
                sessionId,
                protocolVersion,
                clientName,
                clientVersion,
                principal,
                upstreamSessions,
                catalogHash,
                expiresAt,
                "{}");
    }
}
