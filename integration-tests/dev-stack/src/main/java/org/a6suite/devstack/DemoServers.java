package org.a6suite.devstack;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.a6suite.testing.ai.AiProviderServer;
import org.a6suite.testing.mcp.ConformanceMcpServer;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEVELOPMENT FIXTURE, never a real service: starts the demo stack's backends on fixed ports, and optionally the
 * demo traffic generator in which one backend node degrades.
 *
 * <pre>
 *   127.0.0.11:18081 .. 127.0.0.14:18084  "orders" REST backend, four nodes of upstream 1 (echo servers); distinct
 *                loopback addresses because APISIX's per-node metrics label a node by its IP only; each answers with
 *                {@code X-Demo-Node: host:port}. With
 *                {@code --bind 0.0.0.0} (containers) all four listen on the bind address.
 *   18090        model-provider test server (OpenAI, Anthropic, Gemini, Ollama wire formats)
 *   18091        the same, answering JSON (for the prompt-as-REST-API demo route's output schema)
 *   18095        REST backend exposed as MCP tools (GET/POST /api/orders...)
 *   18096        upstream MCP server (official MCP Java SDK, Streamable HTTP at /mcp)
 *   18097        MCP conformance fixture (official MCP Java SDK, everything the conformance suite calls, /mcp)
 *   18099        demo admin endpoint, loopback only: make an orders node fail on demand ({@link DemoAdmin})
 * </pre>
 *
 * Usage: {@code java -jar a6-dev-stack.jar [--bind 127.0.0.1] [--traffic http://127.0.0.1:9080]
 * [--wait-for URL,URL] [--rate 20] [--degrade-after 20] [--degrade-node 4]}: the traffic and the degrade timer
 * start once the gateway (and every {@code --wait-for} URL, e.g. the optimizer's health) answer.
 */
public final class DemoServers {

    public static final int[] ORDER_NODE_PORTS = {18081, 18082, 18083, 18084};
    public static final int AI_PROVIDER_PORT = 18090;
    public static final int AI_JSON_PROVIDER_PORT = 18091;
    static final String DEMO_KEY = "demo-key-for-the-provider-test-server";
    public static final int MCP_REST_PORT = 18095;
    public static final int MCP_UPSTREAM_PORT = 18096;
    public static final int MCP_CONFORMANCE_PORT = 18097;

    private static final Logger LOG = LoggerFactory.getLogger(DemoServers.class);

    private DemoServers() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options = parse(args);
        String bind = options.getOrDefault("bind", System.getenv().getOrDefault("A6_DEMO_BIND", "127.0.0.1"));
        List<AutoCloseable> running = new ArrayList<>();
        List<DemoNode> nodes = new ArrayList<>();
        for (int i = 0; i < ORDER_NODE_PORTS.length; i++) {
            String host = bind.equals("127.0.0.1") ? "127.0.0.1" + (i + 1) : bind;
            DemoNode node = DemoNode.start(host, ORDER_NODE_PORTS[i]);
            nodes.add(node);
            running.add(node);
        }
        // The demo routes reference DEMO_PROVIDER_KEY; the test servers check it like a real provider would.
        // Streams drip like a model: the first piece after 300 ms, then one every 150 ms (whole answers at once).
        running.add(AiProviderServer.start(bind, AI_PROVIDER_PORT)
                .expectKey(DEMO_KEY)
                .drip(java.time.Duration.ofMillis(300), 0, java.time.Duration.ofMillis(150)));
        running.add(AiProviderServer.start(bind, AI_JSON_PROVIDER_PORT)
                .expectKey(DEMO_KEY)
                .reply("{\"sentiment\":\"positive\",\"score\":0.92,"
                        + "\"note\":\"canned answer from the demo test server: it says this whatever the text\"}"));
        RestToolBackend rest = RestToolBackend.start(bind, MCP_REST_PORT);
        running.add(rest);
        running.add(UpstreamMcpServer.start(bind, MCP_UPSTREAM_PORT, 0));
        running.add(ConformanceMcpServer.start(bind, MCP_CONFORMANCE_PORT));
        running.add(DemoAdmin.start(nodes));
        LOG.info(
                "DEVELOPMENT FIXTURES listening: orders nodes {}, model providers {}:{}, MCP REST backend {}, "
                        + "upstream MCP servers {} and {} (conformance fixture), admin (fail on demand) 127.0.0.1:{} "
                        + "(test servers, not real services)",
                nodes.stream().map(DemoNode::hostPort).toList(),
                bind,
                List.of(AI_PROVIDER_PORT, AI_JSON_PROVIDER_PORT),
                MCP_REST_PORT,
                MCP_UPSTREAM_PORT,
                MCP_CONFORMANCE_PORT,
                DemoAdmin.PORT);

        DemoTraffic traffic = null;
        if (options.containsKey("traffic")) {
            int degradeNode = Integer.parseInt(options.getOrDefault("degrade-node", "4"));
            URI gateway = URI.create(options.get("traffic"));
            List<URI> ready = new ArrayList<>(List.of(gateway.resolve("/orders/0")));
            if (options.containsKey("wait-for")) {
                for (String url : options.get("wait-for").split(",")) {
                    ready.add(URI.create(url));
                }
            }
            traffic = new DemoTraffic(
                    gateway,
                    Integer.parseInt(options.getOrDefault("rate", "20")),
                    Duration.ofSeconds(Long.parseLong(options.getOrDefault("degrade-after", "20"))),
                    nodes.get(degradeNode - 1),
                    ready,
                    rest);
            traffic.start();
        }

        CountDownLatch stopped = new CountDownLatch(1);
        DemoTraffic generator = traffic;
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (generator != null) {
                                generator.close();
                            }
                            for (AutoCloseable c : running.reversed()) {
                                try {
                                    c.close();
                                } catch (Exception e) {
                                    LOG.warn(
                                            "closing {} failed: {}",
                                            c.getClass().getSimpleName(),
                                            e.toString());
                                }
                            }
                            stopped.countDown();
                        },
                        "demo-shutdown"));
        stopped.await();
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + ": expected --name value pairs");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
