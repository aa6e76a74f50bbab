package org.a6suite.bench.hotpath;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.bench.HostFacts;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundClientConfig;
import org.a6suite.http.OutboundRequest;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.testing.ai.AiProviderServer;

/**
 * The ai-gateway plugin's own cost per non-streaming chat call in invoke mode, without the A6 socket, codec and
 * emulator around it: {@code AiGatewayPlugin.onRequest} called directly (validation, routing, the resilience chain,
 * the provider call over the plugin's outbound client, mapping, accounting, metrics into the runner's Prometheus
 * registry, the call-log line) against a loopback provider test fixture, alternating with {@code direct}: the same
 * POST sent to the same provider by a bare outbound client (the provider's and the loopback's share of the cost).
 * {@code invoke − direct} is what the plugin adds. Call-log lines go wherever logback sends {@code a6.ai.calls}
 * (benchmarks/hot-path-bench.sh: a file, as in production).
 *
 * <pre>{@code AiInvokePathBench [--inflight 4] [--seconds 5] [--warmup 5] [--rounds 3] [--paths direct,invoke]}</pre>
 */
public final class AiInvokePathBench {

    private static final String KEY = "sk-bench-provider-key";
    static final byte[] CHAT = """
            {"model":"bench-model","messages":[{"role":"system","content":"You are terse."},\
            {"role":"user","content":"Say hello to the benchmark."}]}""".getBytes(UTF_8);

    private AiInvokePathBench() {}

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args).orAll(List.of("direct", "invoke"));
        try (AiProviderServer provider =
                        AiProviderServer.start().reply("Hello, benchmark.").recordRequests(false);
                RunnerLikeEnvironment env = new RunnerLikeEnvironment(Map.of("BENCH_KEY", KEY));
                OutboundClient bare = OutboundClient.of(
                        OutboundClientConfig.builder().eventLoopThreads(2).build(), env.environment())) {
            AiGatewayPlugin plugin = new AiGatewayPlugin();
            plugin.start(env.environment());
            try {
                measure(o, provider, bare, plugin, env.loops());
            } finally {
                plugin.close();
            }
        }
    }

    private static void measure(
            Options o, AiProviderServer provider, OutboundClient bare, AiGatewayPlugin plugin, List<Executor> loops)
            throws Exception {
        {
            AiGatewayConfig config = plugin.parseConfig("""
                    {"mode": "invoke",
                     "targets": [{"id": "main", "type": "openai", "endpoint": "%s/v1", "model": "bench-model",
                      "credentials": {"env": "BENCH_KEY"},
                      "price": {"input_per_million": 0.15, "output_per_million": 0.6}}],
                     "timeouts": {"attempt_floor_ms": 10000}}""".formatted(provider.baseUrl()));
            // What the runner hands the plugin for POST /v1/chat/completions (headers as APISIX forwards them).
            RequestView view = RequestView.builder(HttpMethod.POST, "/v1/chat/completions")
                    .headers(Headers.of(
                            "host", "127.0.0.1:9080",
                            "content-type", "application/json",
                            "authorization", "Bearer client-key",
                            "user-agent", "OpenAI/Java 4.0",
                            "accept", "application/json"))
                    .body(Body.wrap(CHAT))
                    .build();
            CallContext context =
                    new CallContext(Optional.of("route#ai#ext-plugin-pre-req#1"), 1, CallContext.Phase.PRE_REQ);
            URI direct = URI.create(provider.baseUrl() + "/v1/chat/completions");
            Supplier<CompletableFuture<Boolean>> directCall = () -> bare.send(OutboundRequest.builder("POST", direct)
                            .header("content-type", "application/json")
                            .header("authorization", "Bearer " + KEY)
                            .body(CHAT)
                            .build())
                    .thenCompose(r -> r.aggregate(1 << 20).thenApply(b -> r.status() == 200));
            Supplier<CompletableFuture<Boolean>> invokeCall = () -> plugin.onRequest(view, config, context)
                    .toCompletableFuture()
                    .thenApply(d -> d instanceof RequestDecision.Stop s && s.status() == 200);
            PerCallRounds rounds = new PerCallRounds(o.inflight(), loops);
            if (o.paths().contains("direct")) {
                rounds.path("direct", directCall);
            }
            if (o.paths().contains("invoke")) {
                rounds.path("invoke", invokeCall);
            }
            System.out.printf(
                    Locale.ROOT,
                    "ai-invoke-path-bench: nproc %d, in flight %d, %d s per round, %d rounds, load %s%n",
                    Runtime.getRuntime().availableProcessors(),
                    o.inflight(),
                    o.seconds().toSeconds(),
                    o.rounds(),
                    HostFacts.loadAverage());
            List<PerCallRounds.Round> all = rounds.run(o.warmup(), o.seconds(), o.rounds());
            System.out.print(PerCallRounds.table(all, o.paths().contains("direct") ? "direct" : null));
            System.out.printf(Locale.ROOT, "load after: %s%n", HostFacts.loadAverage());
        }
    }
}
