package org.a6suite.mcp;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundClientConfig;
import org.a6suite.mcp.internal.ConfigParser;
import org.a6suite.mcp.internal.LaneEndpoint;
import org.a6suite.mcp.internal.McpEndpoint;
import org.a6suite.mcp.internal.McpRuntime;
import org.a6suite.mcp.internal.Outbound;
import org.a6suite.mcp.internal.RestToolInvoker;
import org.a6suite.mcp.internal.ToolRateLimiter;
import org.a6suite.mcp.internal.UpstreamClient;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code mcp-gateway}: an MCP (Streamable HTTP) endpoint at APISIX that serves REST backends and federated MCP
 * servers as one governed tool catalog, and the federated servers' resources, prompts, completions and logging.
 * Configure it in {@code ext-plugin-pre-req}, or in {@code ext-plugin-post-req} when the consumer identity of APISIX's
 * auth plugins is needed (pre-req runs before authentication; invoke mode only). With {@code mode: lane} it validates
 * in pre-req and serves MCP Streamable HTTP in full on the runner's HTTP lane. Non-blocking: every outbound call is an async
 * {@link OutboundClient} call.
 */
public final class McpGatewayPlugin implements Plugin<McpGatewayConfig> {

    public static final String NAME = "mcp-gateway";

    private final ObjectMapper mapper = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
                    // Bounded reads: nesting and size limits, so hostile JSON is refused instead of walking the stack.
                    .streamReadConstraints(tools.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(128)
                            .maxDocumentLength(64L * 1024 * 1024)
                            .build())
                    .build())
            .build();
    private final AtomicReference<PluginEnvironment> environment = new AtomicReference<>();
    private final AtomicReference<McpEndpoint> endpoint = new AtomicReference<>();
    private final AtomicReference<LaneEndpoint> lane = new AtomicReference<>();
    private final AtomicReference<McpRuntime> runtime = new AtomicReference<>();
    private final AtomicReference<OutboundClient> httpClient = new AtomicReference<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public McpGatewayConfig parseConfig(String value) throws PluginConfigException {
        PluginEnvironment env = environment.get();
        return new ConfigParser(
                        mapper, name -> env != null ? env.getenv(name) : Optional.ofNullable(System.getenv(name)))
                .parse(value);
    }

    @Override
    public Requirements requirements(McpGatewayConfig config) {
        Requirements needs = Requirements.NONE.withRequestBody();
        return config.principal().var().map(needs::withVars).orElse(needs);
    }

    @Override
    public void start(PluginEnvironment env) {
        requireNonNull(env, "env");
        environment.set(env);
        // The shared client never follows redirects: a backend must not be able to send the gateway to a host nobody
        // configured. Its pool retires idle connections after 4 s, before a Node.js upstream's 5 s keep-alive.
        // On the runner's I/O loops (when it offers them) a tool call's backend I/O, its timers and its answer stay on
        // the thread that serves the call: no wake-up of a client loop or a timer thread per call.
        OutboundClient client = OutboundClient.of(
                OutboundClientConfig.builder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .build(),
                env);
        Scheduler scheduler = Scheduler.preferringCurrentLoop(env::currentLoop, Scheduler.of(env.scheduler()));
        OutboundClient previous = httpClient.getAndSet(client);
        if (previous != null) {
            previous.close();
        }
        Ticker ticker = Ticker.systemTicker();
        Outbound outbound = new Outbound(client, scheduler, ticker, env.outcomes());
        McpRuntime parts = new McpRuntime(
                mapper,
                env.clock(),
                new SecureRandom(),
                new RestToolInvoker(outbound, mapper),
                new UpstreamClient(outbound, new JsonRpcCodec(mapper), mapper),
                new ToolRateLimiter(env.clock()),
                env.metrics(),
                ticker,
                scheduler);
        McpRuntime previousParts = runtime.getAndSet(parts);
        if (previousParts != null) {
            previousParts.close();
        }
        endpoint.set(new McpEndpoint(parts));
        lane.set(new LaneEndpoint(parts));
    }

    @Override
    public CompletionStage<RequestDecision> onRequest(
            RequestView request, McpGatewayConfig config, CallContext context) {
        McpEndpoint current = endpoint.get();
        if (current == null) {
            throw new IllegalStateException("mcp-gateway: onRequest before start(PluginEnvironment)");
        }
        return current.handle(request, config, context);
    }

    /**
     * Serves a request {@link #onRequest} handed to the runner's HTTP lane ({@code mode: lane}): JSON or SSE answers,
     * the session's GET stream, relayed notifications and server-to-client requests. Cancelling the stage (the
     * client went away before the head) cancels the calls behind it.
     */
    @Override
    public CompletionStage<LaneResponse> onLane(RequestView request, McpGatewayConfig config, CallContext context) {
        LaneEndpoint current = lane.get();
        if (current == null) {
            throw new IllegalStateException("mcp-gateway: onLane before start(PluginEnvironment)");
        }
        return current.handle(request, config, context);
    }

    @Override
    public void close() {
        McpRuntime parts = runtime.getAndSet(null);
        if (parts != null) {
            parts.close();
        }
        OutboundClient client = httpClient.getAndSet(null);
        if (client != null) {
            client.close();
        }
    }
}
