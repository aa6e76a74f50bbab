package org.a6suite.bench.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.testing.mcp.UpstreamMcpServer;

/**
 * Latency mcp-gateway adds to a relayed {@code notifications/progress}: the official MCP Java SDK client calls the
 * {@code progress} tool of an SDK-built upstream (a test fixture that sends {@code steps} progress notifications under
 * the caller's token, then its result) directly, and as {@code calc_progress} through the APISIX emulator, the
 * runner's HTTP lane and mcp-gateway in {@code mode: lane} (the call's answer is an SSE stream carrying the
 * notifications, then the result). Per call it records the time from the request to the first progress notification
 * the client's consumer sees, to the result, and the spacing of the notifications; calls are sequential (one in
 * flight), direct and gateway alternate by round so both see the same machine.
 *
 * <p>Usage: {@code ProgressRelayBench [--rounds 3] [--calls 200] [--steps 10] [--warmup-calls 200]}; see {@code
 * docs/benchmarks.md} for the command with its class path. Everything runs in this JVM on loopback.
 */
public final class ProgressRelayBench {

    private static final String SESSION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private ProgressRelayBench() {}

    /** One target's client: the SDK client plus the latch each call's notifications count down. */
    private record Client(String label, String tool, McpSyncClient sdk, Map<String, Arrivals> arrivals) {}

    /** When each progress notification of one call reached the client's consumer. */
    private static final class Arrivals {
        final CountDownLatch all;
        final long[] at;
        int seen;

        Arrivals(int steps) {
            this.all = new CountDownLatch(steps);
            this.at = new long[steps];
        }

        synchronized void arrived(long now) {
            if (seen < at.length) {
                at[seen++] = now;
                all.countDown();
            }
        }
    }

    /** Per target: request to first progress, request to result, and the gap between consecutive notifications. */
    private record Figures(Histogram firstProgress, Histogram result, Histogram gap) {
        static Figures create() {
            return new Figures(new Histogram(3), new Histogram(3), new Histogram(3));
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new ConcurrentHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        int rounds = Integer.parseInt(args.getOrDefault("rounds", "3"));
        int calls = Integer.parseInt(args.getOrDefault("calls", "200"));
        int steps = Integer.parseInt(args.getOrDefault("steps", "10"));
        int warmup = Integer.parseInt(args.getOrDefault("warmup-calls", "200"));
        if (steps < 2) {
            throw new IllegalArgumentException("--steps: " + steps + " (expected: 2 or more)");
        }
        Path dir = Files.createTempDirectory("a6-progress-bench");
        UpstreamMcpServer upstream = UpstreamMcpServer.startInteractive();
        RunnerServer runner = RunnerServer.start(
                RunnerConfig.builder(dir.resolve("runner.sock"))
                        .laneAddress(new InetSocketAddress("127.0.0.1", 0))
                        .build(),
                List.of(new McpGatewayPlugin()),
                RunnerOptions.defaults().withEnvironment(Map.of("MCP_BENCH_KEY", SESSION_KEY)::get));
        InetSocketAddress lane = runner.laneAddress().orElseThrow();
        ApisixEmulator emulator = ApisixEmulator.builder()
                .runnerSocket(runner.socketPath())
                .route(EmulatorRoute.fromJson(
                        "mcp-lane", """
                        {"uri":"/mcp-lane","plugins":{"ext-plugin-pre-req":{"conf":[{"name":"mcp-gateway","value":%s}]}},
                         "upstream":{"type":"roundrobin","nodes":{"127.0.0.1:%d":1}},
                         "timeout":{"connect":5,"send":60,"read":60}}""".formatted(quote("""
                                {"mode":"lane","session":{"keys":[{"id":"k1","env":"MCP_BENCH_KEY"}]},
                                 "upstreams":[{"name":"calc","url":"%s","timeout_ms":20000}]}""".formatted(upstream.endpoint())), lane.getPort())))
                .build()
                .start();
        URI up = upstream.endpoint();
        Client direct = client(
                "upstream-direct", "progress", URI.create(up.getScheme() + "://" + up.getAuthority()), up.getPath());
        Client gateway = client("gateway-lane", "calc_progress", emulator.baseUri(), "/mcp-lane");
        try {
            for (Client c : List.of(direct, gateway)) {
                for (int i = 0; i < warmup; i++) {
                    call(c, steps, "w" + i, Figures.create());
                }
            }
            Map<String, List<Figures>> perRound =
                    Map.of("upstream-direct", new ArrayList<>(), "gateway-lane", new ArrayList<>());
            for (int round = 1; round <= rounds; round++) {
                List<Client> order = round % 2 == 1 ? List.of(direct, gateway) : List.of(gateway, direct);
                for (Client c : order) {
                    Figures f = Figures.create();
                    for (int i = 0; i < calls; i++) {
                        call(c, steps, "r" + round + "-" + i, f);
                    }
                    perRound.get(c.label()).add(f);
                    String line = String.format(
                            Locale.ROOT,
                            "{\"round\":%d,\"target\":\"%s\",\"calls\":%d,\"steps\":%d,\"first_progress_p50_us\":%.0f,"
                                    + "\"first_progress_p99_us\":%.0f,\"result_p50_us\":%.0f,\"result_p99_us\":%.0f,"
                                    + "\"gap_p50_us\":%.0f,\"gap_p99_us\":%.0f,\"load1\":%s}",
                            round,
                            c.label(),
                            calls,
                            steps,
                            us(f.firstProgress(), 50),
                            us(f.firstProgress(), 99),
                            us(f.result(), 50),
                            us(f.result(), 99),
                            us(f.gap(), 50),
                            us(f.gap(), 99),
                            Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
                    System.out.println(line);
                }
            }
            System.out.println();
            System.out.println(markdown(perRound));
        } finally {
            direct.sdk().close();
            gateway.sdk().close();
            emulator.close();
            runner.close();
            upstream.close();
        }
        // The SDK-built upstream leaves non-daemon Reactor threads behind its close(): end the run explicitly.
        System.exit(0);
    }

    private static Client client(String label, String tool, URI base, String endpoint) {
        Map<String, Arrivals> arrivals = new ConcurrentHashMap<>();
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(base.toString())
                .endpoint(endpoint)
                .build();
        McpSyncClient sdk = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .progressConsumer(p -> {
                    long now = System.nanoTime();
                    Arrivals a = arrivals.get(String.valueOf(p.progressToken()));
                    if (a != null) {
                        a.arrived(now);
                    }
                })
                .build();
        sdk.initialize();
        return new Client(label, tool, sdk, arrivals);
    }

    private static void call(Client c, int steps, String token, Figures into) throws InterruptedException {
        Arrivals a = new Arrivals(steps);
        c.arrivals().put(token, a);
        long t0 = System.nanoTime();
        McpSchema.CallToolResult result = c.sdk()
                .callTool(McpSchema.CallToolRequest.builder()
                        .name(c.tool())
                        .arguments(Map.of("steps", steps))
                        .progressToken(token)
                        .build());
        long t1 = System.nanoTime();
        if (Boolean.TRUE.equals(result.isError())) {
            throw new IllegalStateException(c.label() + ": the tool failed: " + result.content());
        }
        if (!a.all.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(c.label() + ": " + a.seen + " of " + steps + " progress notifications");
        }
        c.arrivals().remove(token);
        long[] at = a.at.clone();
        java.util.Arrays.sort(at); // the SDK's consumer may see them out of order; their times are what counts
        into.firstProgress().recordValue(Math.max(0, at[0] - t0));
        into.result().recordValue(t1 - t0);
        for (int i = 1; i < at.length; i++) {
            into.gap().recordValue(at[i] - at[i - 1]);
        }
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    private static String quote(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }

    private static String markdown(Map<String, List<Figures>> perRound) {
        StringBuilder md = new StringBuilder(
                "| target | first progress p50 µs | first progress p99 µs | result p50 µs | result p99 µs "
                        + "| gap between notifications p50 µs |\n|---|---:|---:|---:|---:|---:|\n");
        for (String label : List.of("upstream-direct", "gateway-lane")) {
            List<Figures> rounds = perRound.get(label);
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f | %.0f | %.0f | %.0f |%n",
                    label,
                    median(rounds, f -> us(f.firstProgress(), 50)),
                    median(rounds, f -> us(f.firstProgress(), 99)),
                    median(rounds, f -> us(f.result(), 50)),
                    median(rounds, f -> us(f.result(), 99)),
                    median(rounds, f -> us(f.gap(), 50))));
        }
        md.append("(medians over rounds of each round's percentile)\n");
        return md.toString();
    }

    private static double median(List<Figures> rounds, java.util.function.ToDoubleFunction<Figures> of) {
        double[] v = rounds.stream().mapToDouble(of).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
