package org.a6suite.bench.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Everything under measurement, in this process: the REST backend, the a6 runner (defaults: 2 worker threads) on a
 * unix socket serving mcp-gateway, and the APISIX emulator (defaults: 2 event-loop threads) with two routes:
 * {@code /mcp} running mcp-gateway in {@code ext-plugin-pre-req}, and {@code /api/*} proxying straight to the backend
 * with no ext-plugin (the baseline for the emulator's own HTTP hop); and an upstream MCP server built with the official
 * Java SDK (a test fixture), called directly and through {@code /mcp-federated}, an mcp-gateway route federating it.
 */
final class GatewayStack implements AutoCloseable {

    /** A fixed AES-256 key: the benchmark seals nothing secret. */
    private static final String SESSION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AutoCloseable backend;
    private final URI backendUri;
    private final Path dir;
    private final RunnerServer runner;
    private final ApisixEmulator emulator;
    private final UpstreamMcpServer upstream;

    private GatewayStack(
            AutoCloseable backend,
            URI backendUri,
            Path dir,
            RunnerServer runner,
            ApisixEmulator emulator,
            UpstreamMcpServer upstream) {
        this.upstream = upstream;
        this.backend = backend;
        this.backendUri = backendUri;
        this.dir = dir;
        this.runner = runner;
        this.emulator = emulator;
    }

    static GatewayStack start(boolean fixtureBackend) throws IOException {
        AutoCloseable backend;
        URI backendUri;
        if (fixtureBackend) {
            RestToolBackend b = RestToolBackend.start();
            backend = b;
            backendUri = b.baseUri();
        } else {
            OrdersBackend b = OrdersBackend.start();
            backend = b;
            backendUri = b.baseUri();
        }
        Path dir = Files.createTempDirectory("a6-mcp-bench");
        RunnerServer runner = null;
        UpstreamMcpServer upstream = UpstreamMcpServer.start(0);
        try {
            runner = RunnerServer.start(
                    RunnerConfig.builder(dir.resolve("runner.sock")).build(),
                    List.of(new McpGatewayPlugin()),
                    RunnerOptions.defaults().withEnvironment(Map.of("MCP_BENCH_KEY", SESSION_KEY)::get));
            String hostPort = backendUri.getHost() + ":" + backendUri.getPort();
            ApisixEmulator emulator = ApisixEmulator.builder()
                    .runnerSocket(runner.socketPath())
                    .route(EmulatorRoute.fromJson("mcp", route("/mcp", "127.0.0.1:1", pluginConfig(backendUri))))
                    .route(EmulatorRoute.fromJson("noop", route("/api/*", hostPort, null)))
                    .route(EmulatorRoute.fromJson(
                            "mcp-federated",
                            route("/mcp-federated", "127.0.0.1:1", federatedConfig(upstream.endpoint()))))
                    .build()
                    .start();
            return new GatewayStack(backend, backendUri, dir, runner, emulator, upstream);
        } catch (RuntimeException | Error e) {
            if (runner != null) {
                runner.close();
            }
            upstream.close();
            closeQuietly(backend);
            throw e;
        }
    }

    /**
     * The tool as a route would declare it: one backend, {@code orders_get} with input and output schemas (so both
     * validations and {@code structuredContent} are on the measured path), default limits, the call log on (the
     * default).
     */
    static String pluginConfig(URI backend) {
        return """
                {"session":{"keys":[{"id":"k1","env":"MCP_BENCH_KEY"}],"audience":"mcp-bench"},
                 "backends":[{"name":"shop","base_url":"%s/api","timeout_ms":5000}],
                 "tools":[{"name":"orders_get","description":"Look up an order","backend":"shop","method":"GET",
                   "path":"/orders/{id}",
                   "input_schema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
                   "output_schema":{"type":"object","properties":{"id":{"type":"string"},"status":{"type":"string"},
                     "total":{"type":"number"}},"required":["id"]}}]}""".formatted(backend);
    }

    /** The upstream federated with its defaults (prefix {@code calc_}, catalog cached 60 s), the call log on. */
    static String federatedConfig(URI upstream) {
        return """
                {"session":{"keys":[{"id":"k1","env":"MCP_BENCH_KEY"}],"audience":"mcp-bench-federated"},
                 "upstreams":[{"name":"calc","url":"%s","timeout_ms":5000}]}""".formatted(upstream);
    }

    private static String route(String uri, String upstream, String mcpConfig) {
        ObjectNode root = JSON.createObjectNode();
        root.put("uri", uri);
        if (mcpConfig != null) {
            root.putObject("plugins")
                    .putObject("ext-plugin-pre-req")
                    .putArray("conf")
                    .addObject()
                    .put("name", McpGatewayPlugin.NAME)
                    .put("value", mcpConfig);
        }
        ObjectNode up = root.putObject("upstream");
        up.put("type", "roundrobin");
        up.putObject("nodes").put(upstream, 1);
        return JSON.writeValueAsString(root);
    }

    URI backendUri() {
        return backendUri;
    }

    URI emulatorUri() {
        return emulator.baseUri();
    }

    URI mcpEndpoint() {
        return emulator.baseUri().resolve("/mcp");
    }

    URI upstreamEndpoint() {
        return upstream.endpoint();
    }

    URI federatedEndpoint() {
        return emulator.baseUri().resolve("/mcp-federated");
    }

    @Override
    public void close() {
        try {
            emulator.close();
        } finally {
            try {
                runner.close();
            } finally {
                closeQuietly(backend);
                closeQuietly(upstream);
                try {
                    Files.deleteIfExists(dir.resolve("runner.sock"));
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Shutting down after a failure: the original failure is the one worth reporting.
        }
    }
}
