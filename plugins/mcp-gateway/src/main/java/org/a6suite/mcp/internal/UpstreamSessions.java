package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.a6suite.mcp.McpGatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The upstream session that belongs to a client session: the one sealed at initialize, or one this runner created
 * after the sealed one was lost (the upstream restarted) or never existed (its initialize failed). Every federated
 * method, tools and the other server features alike, reaches an upstream through {@link #with}.
 */
public final class UpstreamSessions {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamSessions.class);

    private final UpstreamClient client;
    private final ObjectMapper mapper;
    /** (session id, upstream name) to an upstream session created on this node after the sealed one was lost. */
    private final BoundedCache<String, UpstreamClient.Session> replaced = new BoundedCache<>(10_000);

    public UpstreamSessions(UpstreamClient client, ObjectMapper mapper) {
        this.client = requireNonNull(client, "client");
        this.mapper = requireNonNull(mapper, "mapper");
    }

    /** The client capabilities to declare upstream for {@code session} (those the gateway relays for it). */
    public ObjectNode relayed(SessionContext session) {
        try {
            return mapper.readTree(session.relayed()) instanceof ObjectNode o ? o : mapper.createObjectNode();
        } catch (JacksonException e) {
            return mapper.createObjectNode();
        }
    }

    public UpstreamClient client() {
        return client;
    }

    /** The session this runner would use now, if any. */
    public Optional<UpstreamClient.Session> current(SessionContext session, McpGatewayConfig.Upstream upstream) {
        return replaced.get(session.sessionId() + "|" + upstream.name())
                .or(() -> Optional.ofNullable(session.upstreamSessions().get(upstream.name()))
                        .flatMap(UpstreamClient.Session::decode));
    }

    /**
     * Runs {@code action} with the client session's upstream session; when the upstream lost it (404) or there never
     * was one, initializes a new one, remembers it on this node, and runs {@code action} once more.
     */
    public <T> CompletionStage<T> with(
            McpGatewayConfig config,
            SessionContext session,
            McpGatewayConfig.Upstream upstream,
            Function<UpstreamClient.Session, CompletionStage<T>> action) {
        Optional<UpstreamClient.Session> current = current(session, upstream);
        if (current.isEmpty()) {
            return reinitialize(config, session, upstream).thenCompose(action);
        }
        return action.apply(current.get())
                .handle((value, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(value);
                    }
                    if (Outbound.cause(error) instanceof UpstreamClient.UpstreamException ue
                            && ue.kind() == UpstreamClient.UpstreamException.Kind.SESSION_LOST) {
                        LOG.info(
                                "mcp-gateway: upstream {} lost session of {}; re-initializing",
                                upstream.name(),
                                session.sessionId());
                        return reinitialize(config, session, upstream).thenCompose(action);
                    }
                    return CompletableFuture.<T>failedFuture(Outbound.cause(error));
                })
                .thenCompose(stage -> stage);
    }

    private CompletionStage<UpstreamClient.Session> reinitialize(
            McpGatewayConfig config, SessionContext session, McpGatewayConfig.Upstream upstream) {
        return client.initialize(
                        upstream,
                        config.serverName(),
                        config.serverVersion(),
                        config.maxResultBytes(),
                        relayed(session))
                .thenApply(s -> {
                    replaced.put(session.sessionId() + "|" + upstream.name(), s);
                    return s;
                });
    }
}
