package org.a6suite.bench.hotpath;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.a6suite.bench.HostFacts;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundClientConfig;
import org.a6suite.http.OutboundRequest;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;

/**
 * mcp-gateway's own cost per {@code tools/call}, without the A6 socket, codec and emulator around it:
 * {@code McpGatewayPlugin.onRequest} called directly, in one established session, for
 * <ul>
 *   <li>{@code rest-tool}: {@code orders_get}, a REST tool with input and output schemas, against the REST backend
 *       test fixture; alternating with {@code rest-direct}, the same GET sent to the backend by a bare outbound
 *       client, so {@code rest-tool − rest-direct} is what the plugin adds;
 *   <li>{@code federated-tool}: {@code calc_add} of an upstream MCP server built with the official Java SDK (a test
 *       fixture, in this JVM: its cost is included, so this path's figure is gross).
 * </ul>
 * The call log is on (the default) and goes wherever logback sends {@code org.a6suite.mcp.calls}.
 *
 * <pre>{@code McpCallPathBench [--inflight 4] [--seconds 5] [--warmup 5] [--rounds 3]
 *     [--paths rest-direct,rest-tool,federated-tool]}</pre>
 */
public final class McpCallPathBench {

    /** A fixed AES-256 key: the benchmark seals nothing secret. */
    private static final String SESSION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private static final CallContext CONTEXT =
            new CallContext(Optional.of("route#mcp#ext-plugin-pre-req#1"), 1, CallContext.Phase.PRE_REQ);

    private McpCallPathBench() {}

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args).orAll(List.of("rest-direct", "rest-tool", "federated-tool"));
        try (RestToolBackend backend = RestToolBackend.start();
                UpstreamMcpServer upstream = UpstreamMcpServer.start(0);
                RunnerLikeEnvironment env = new RunnerLikeEnvironment(Map.of("MCP_BENCH_KEY", SESSION_KEY));
                OutboundClient bare = OutboundClient.of(
                        OutboundClientConfig.builder().eventLoopThreads(2).build(), env.environment())) {
            backend.recordRequests(false);
            McpGatewayPlugin plugin = new McpGatewayPlugin();
            plugin.start(env.environment());
            try {
                McpGatewayConfig rest = plugin.parseConfig("""
                        {"session":{"keys":[{"id":"k1","env":"MCP_BENCH_KEY"}],"audience":"mcp-bench"},
                         "backends":[{"name":"shop","base_url":"%s/api","timeout_ms":5000}],
                         "tools":[{"name":"orders_get","description":"Look up an order","backend":"shop","method":"GET",
                           "path":"/orders/{id}",
                           "input_schema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
                           "output_schema":{"type":"object","properties":{"id":{"type":"string"},"status":{"type":"string"},
                             "total":{"type":"number"}},"required":["id"]}}]}""".formatted(backend.baseUri()));
                McpGatewayConfig federated = plugin.parseConfig("""
                        {"session":{"keys":[{"id":"k1","env":"MCP_BENCH_KEY"}],"audience":"mcp-bench-federated"},
                         "upstreams":[{"name":"calc","url":"%s","timeout_ms":5000}]}""".formatted(upstream.endpoint()));
                String restSession = open(plugin, rest);
                String federatedSession = open(plugin, federated);
                AtomicLong ids = new AtomicLong(10);
                RequestView restCall = call(restSession, 2, "orders_get", "{\"id\":\"o-42\"}");
                RequestView federatedCall = call(federatedSession, 2, "calc_add", "{\"a\":2,\"b\":3}");
                System.out.println("rest-tool answer: " + answer(plugin, rest, restCall));
                System.out.println("federated-tool answer: " + answer(plugin, federated, federatedCall));
                URI direct = URI.create(backend.baseUri() + "/api/orders/o-42");
                PerCallRounds rounds = new PerCallRounds(o.inflight(), env.loops());
                Map<String, Supplier<CompletableFuture<Boolean>>> all = Map.of(
                        "rest-direct",
                        () -> bare.send(OutboundRequest.builder("GET", direct)
                                        .header("accept", "application/json")
                                        .build())
                                .thenCompose(r -> r.aggregate(1 << 20).thenApply(b -> r.status() == 200)),
                        "rest-tool",
                        () -> ok(plugin.onRequest(
                                call(restSession, ids.incrementAndGet(), "orders_get", "{\"id\":\"o-42\"}"),
                                rest,
                                CONTEXT)),
                        "federated-tool",
                        () -> ok(plugin.onRequest(
                                call(federatedSession, ids.incrementAndGet(), "calc_add", "{\"a\":2,\"b\":3}"),
                                federated,
                                CONTEXT)));
                for (String path : o.paths()) {
                    rounds.path(path, all.get(path));
                }
                System.out.printf(
                        Locale.ROOT,
                        "mcp-call-path-bench: nproc %d, in flight %d, %d s per round, %d rounds, load %s%n",
                        Runtime.getRuntime().availableProcessors(),
                        o.inflight(),
                        o.seconds().toSeconds(),
                        o.rounds(),
                        HostFacts.loadAverage());
                List<PerCallRounds.Round> results = rounds.run(o.warmup(), o.seconds(), o.rounds());
                System.out.print(
                        PerCallRounds.table(results, o.paths().contains("rest-direct") ? "rest-direct" : null));
                System.out.printf(Locale.ROOT, "load after: %s%n", HostFacts.loadAverage());
            } finally {
                plugin.close();
            }
        }
        // The SDK-built upstream fixture leaves non-daemon threads behind after close: end the JVM here.
        System.exit(0);
    }

    private static CompletableFuture<Boolean> ok(java.util.concurrent.CompletionStage<RequestDecision> answer) {
        // 200 with a body: a JSON-RPC error would also be 200, so the first answer of each path is printed in full
        return answer.toCompletableFuture()
                .thenApply(d -> d instanceof RequestDecision.Stop s
                        && s.status() == 200
                        && s.body().map(b -> b.size() > 0).orElse(false));
    }

    private static String answer(McpGatewayPlugin plugin, McpGatewayConfig config, RequestView request)
            throws Exception {
        RequestDecision.Stop stop = (RequestDecision.Stop)
                plugin.onRequest(request, config, CONTEXT).toCompletableFuture().get(20, TimeUnit.SECONDS);
        return stop.status() + " " + stop.body().map(Body::asUtf8).orElse("");
    }

    /** initialize, then notifications/initialized: the session id every call carries. */
    private static String open(McpGatewayPlugin plugin, McpGatewayConfig config) throws Exception {
        RequestDecision.Stop init = (RequestDecision.Stop) plugin.onRequest(post("""
                                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                                 "capabilities":{},"clientInfo":{"name":"bench","version":"1.0"}}}""", null), config, CONTEXT)
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        String session = init.headers()
                .first("mcp-session-id")
                .orElseThrow(() -> new IllegalStateException("initialize answered " + init.status() + " "
                        + init.body().map(Body::asUtf8).orElse("")));
        plugin.onRequest(
                        post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session),
                        config,
                        CONTEXT)
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        return session;
    }

    private static RequestView call(String session, long id, String tool, String arguments) {
        return post(
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                        + "\",\"arguments\":" + arguments + "}}",
                session);
    }

    /** What the runner hands the plugin for a POST /mcp (headers as an MCP client sends them). */
    private static RequestView post(String body, String session) {
        Headers headers = Headers.of(
                "host", "127.0.0.1:9080",
                "accept", "application/json, text/event-stream",
                "content-type", "application/json",
                "mcp-protocol-version", "2025-11-25");
        if (session != null) {
            headers = headers.plus("mcp-session-id", session);
        }
        return RequestView.builder(HttpMethod.POST, "/mcp")
                .headers(headers)
                .body(Body.of(body))
                .build();
    }
}
