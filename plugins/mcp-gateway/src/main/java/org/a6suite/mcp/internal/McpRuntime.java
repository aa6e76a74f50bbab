package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Clock;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.plugin.RequestView;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import tools.jackson.databind.ObjectMapper;

/**
 * The gateway's parts, wired once when the plugin starts and shared by every route: sessions, the tool catalog,
 * tool calls, the federated features, the upstream relay, the node-local live sessions, and the POST router both
 * front ends ({@link McpEndpoint}, {@link LaneEndpoint}) use.
 */
public final class McpRuntime implements AutoCloseable {

    /** Sessions with live state (streams, calls in flight) one node keeps; the least recently used goes first. */
    static final int MAX_LIVE_SESSIONS = 10_000;

    private final ObjectMapper mapper;
    private final JsonRpcCodec codec;
    private final SessionService sessions;
    private final McpMethods methods;
    private final PostRouter posts;
    private final LiveSessions live;
    private final UpstreamRelay relay;
    private final UpstreamSessions upstreamSessions;
    private final UpstreamStreams upstreamStreams;

    public McpRuntime(
            ObjectMapper mapper,
            Clock clock,
            SecureRandom random,
            RestToolInvoker rest,
            UpstreamClient upstreams,
            ToolRateLimiter rateLimiter,
            PluginMetrics metrics,
            Ticker ticker,
            Scheduler scheduler) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.codec = new JsonRpcCodec(mapper);
        this.upstreamSessions = new UpstreamSessions(upstreams, mapper);
        this.upstreamStreams = new UpstreamStreams(upstreams.outbound(), upstreams, scheduler);
        this.sessions = new SessionService(mapper, clock, random, upstreams, upstreamSessions);
        this.live = new LiveSessions(codec, MAX_LIVE_SESSIONS);
        ToolCatalog catalog = new ToolCatalog(mapper, clock, upstreamSessions);
        this.relay = new UpstreamRelay(mapper, upstreamSessions, catalog, live);
        ToolCalls tools =
                new ToolCalls(mapper, rest, upstreamSessions, relay, rateLimiter, metrics, ticker, scheduler, catalog);
        FederatedFeatures federation =
                new FederatedFeatures(mapper, upstreamSessions, rateLimiter, metrics, ticker, rest);
        this.methods = new McpMethods(mapper, catalog, tools, federation, relay, live);
        this.posts = new PostRouter(codec, sessions, methods);
    }

    ObjectMapper mapper() {
        return mapper;
    }

    JsonRpcCodec codec() {
        return codec;
    }

    SessionService sessions() {
        return sessions;
    }

    McpMethods methods() {
        return methods;
    }

    PostRouter posts() {
        return posts;
    }

    LiveSessions live() {
        return live;
    }

    UpstreamRelay relay() {
        return relay;
    }

    UpstreamStreams upstreamStreams() {
        return upstreamStreams;
    }

    UpstreamSessions upstreamSessions() {
        return upstreamSessions;
    }

    /** After a DELETE: this node's live state of the session goes (streams closed, calls cancelled). */
    void endLive(RequestView request, McpGatewayConfig config, String audience) {
        sessions.sessionIdOf(request, config, audience).ifPresent(live::end);
    }

    @Override
    public void close() {
        live.close();
    }
}
