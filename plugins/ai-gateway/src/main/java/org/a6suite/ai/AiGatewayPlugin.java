package org.a6suite.ai;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.ai.internal.Accounting;
import org.a6suite.ai.internal.ConfigParser;
import org.a6suite.ai.internal.Credentials;
import org.a6suite.ai.internal.Gateway;
import org.a6suite.ai.internal.Invoker;
import org.a6suite.ai.internal.ProviderClient;
import org.a6suite.ai.internal.Router;
import org.a6suite.ai.internal.RuntimeRegistry;
import org.a6suite.ai.internal.StreamingInvoker;
import org.a6suite.ai.internal.outbound.SharedClientStreamingTransport;
import org.a6suite.ai.internal.stream.StreamingTransport;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundClientConfig;
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

/**
 * {@code ai-gateway}: one OpenAI-compatible API (chat completions, embeddings, prompt templates as REST endpoints)
 * over many model providers, with adaptive deadlines, retries, breakers, hedging and fallback, and token and cost
 * accounting. Enabled in a route's {@code ext-plugin-pre-req}; see {@code docs/plugins/ai-gateway.md}.
 *
 * <p>Modes: {@code lane} (recommended) validates in pre-req and serves on the runner's HTTP lane ({@link #onLane}),
 * streaming chat chunk by chunk; {@code invoke} (the parse default) answers whole through A6; {@code passthrough}
 * rewrites for APISIX to proxy.
 *
 * <p>Non-blocking: provider calls use the project's asynchronous outbound client ({@code a6-http-client}) and the
 * runner's scheduler.
 */
public final class AiGatewayPlugin implements Plugin<AiGatewayConfig> {

    public static final String NAME = "ai-gateway";

    private final Ticker ticker;
    private volatile Gateway gateway;
    private volatile OutboundClient client;
    private volatile StreamingTransport streamingTransport;

    /** The constructor {@link java.util.ServiceLoader} uses: the system ticker. */
    public AiGatewayPlugin() {
        this(Ticker.systemTicker());
    }

    /** For tests that move time. */
    public AiGatewayPlugin(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AiGatewayConfig parseConfig(String value) throws PluginConfigException {
        return ConfigParser.parse(value);
    }

    @Override
    public Requirements requirements(AiGatewayConfig config) {
        return Requirements.NONE.withRequestBody();
    }

    @Override
    public void start(PluginEnvironment environment) {
        requireNonNull(environment, "environment");
        // On the runner's I/O loops (when it offers them) a call's provider I/O, its deadline and retry timers and its
        // answer stay on the thread that serves the call: no wake-up of a client loop or a timer thread per call.
        Scheduler scheduler =
                Scheduler.preferringCurrentLoop(environment::currentLoop, Scheduler.of(environment.scheduler()));
        // One pooled outbound client for whole answers and streams: HTTP/1.1 keep-alive below common server
        // keep-alives, stale connections retried only when a request provably never left.
        // A stream holds its connection for as long as the model talks, so the pool must not cap concurrency per
        // provider at the client's default of 64 (the 65th stream would wait and fail at the connect timeout).
        OutboundClient outbound = OutboundClient.of(
                OutboundClientConfig.builder()
                        .eventLoopThreads(2)
                        .maxConnectionsPerOrigin(10_000)
                        .build(),
                environment);
        ProviderClient http = new ProviderClient(outbound, environment.clock());
        Credentials credentials = new Credentials(environment::getenv, environment.blockingExecutor());
        Random random = new Random();
        StreamingTransport transport = new SharedClientStreamingTransport(outbound);
        this.client = outbound;
        this.streamingTransport = transport;
        environment.blockingExecutor().execute(org.a6suite.ai.internal.Tokens::warmUp);
        this.gateway = new Gateway(
                new RuntimeRegistry(ticker, scheduler),
                new Router(random::nextDouble),
                new Invoker(http, credentials, ticker, scheduler),
                new StreamingInvoker(transport, credentials, ticker, scheduler, environment.clock()),
                credentials,
                new Accounting(environment.metrics(), environment.outcomes()),
                ticker);
    }

    @Override
    public CompletionStage<RequestDecision> onRequest(
            RequestView request, AiGatewayConfig config, CallContext context) {
        Gateway current = gateway;
        if (current == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("ai-gateway: start() was not called"));
        }
        return current.handle(request, config, context);
    }

    /**
     * Serves a call handed over to the lane by {@link #onRequest} (mode {@code lane}): whole answers as in invoke
     * mode, and chat streams relayed chunk by chunk. Cancelling the stage aborts the provider calls behind it.
     */
    @Override
    public CompletionStage<LaneResponse> onLane(RequestView request, AiGatewayConfig config, CallContext context) {
        Gateway current = gateway;
        if (current == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("ai-gateway: start() was not called"));
        }
        return current.lane(request, config, context);
    }

    @Override
    public void close() {
        Optional.ofNullable(client).ifPresent(OutboundClient::close);
        Optional.ofNullable(streamingTransport).ifPresent(StreamingTransport::close);
    }
}
