package org.a6suite.bench.ai;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.a6suite.bench.HostFacts.cpuModel;
import static org.a6suite.bench.HostFacts.loadAverage;
import static org.a6suite.bench.ai.StreamProbes.cpuPerChunk;
import static org.a6suite.bench.ai.StreamProbes.heapPerStream;
import static org.a6suite.bench.ai.StreamProbes.streams;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.bench.ai.StreamBenchReport.TtftPoint;
import org.a6suite.bench.ai.StreamProbes.Target;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.testing.ai.AiProviderServer;

/**
 * ai-gateway streaming through the runner's HTTP lane, side by side with calling the provider
 * directly, in one JVM on loopback.
 *
 * <pre>
 *   direct  client ──HTTP──▶ provider (slow drip)
 *   lane    client ──HTTP──▶ emulator ──A6/unix (pre-req: validate, stamp handoff)──▶ runner
 *                                     ──HTTP (upstream = lane)──▶ runner lane + ai-gateway ──HTTP──▶ provider
 *   invoke  client ──HTTP──▶ emulator ──A6/unix──▶ runner + ai-gateway (Stop with the whole answer) ──HTTP──▶ provider
 * </pre>
 *
 * Four measurements: time to first token (TTFT) at 1/16/64 concurrent streams, direct vs lane; CPU of the runner's
 * threads per relayed chunk at a high chunk rate; heap per open stream; and non-streaming latency direct vs invoke vs
 * lane. Usage: {@code StreamBench [--rounds 3] [--seconds 8] [--warmup 2] [--streams "1 16 64"] [--first-token-ms 200]
 * [--tokens 20] [--gap-ms 20] [--cpu-streams 8] [--cpu-tokens 20000] [--heap-streams "200 1000"]
 * [--whole-seconds 5] [--whole-clients "1 16 64"] [--jit-warmup 10] [--out raw.jsonl]}.
 */
public final class StreamBench {

    private static final String KEY = "sk-bench-provider-key";
    private static final byte[] STREAM_CHAT = """
            {"model":"bench-model","stream":true,"messages":[{"role":"user","content":"Count for the benchmark."}]}\
            """.getBytes(UTF_8);
    private static final byte[] WHOLE_CHAT = """
            {"model":"bench-model","messages":[{"role":"user","content":"Say hello to the benchmark."}]}\
            """.getBytes(UTF_8);
    /** The outbound client's connection cap per provider origin (OutboundClientConfig default, used by ai-gateway). */
    private static final int PER_ORIGIN = 64;

    private static final int HEAP_ORIGINS = 16;

    private StreamBench() {}

    public static void main(String[] args) throws Exception {
        StreamBenchOptions o = StreamBenchOptions.parse(args, PER_ORIGIN, HEAP_ORIGINS);
        PrintStream log = System.err;
        List<AiProviderServer> providers = new ArrayList<>();
        AiProviderServer drip = track(
                providers,
                AiProviderServer.start()
                        .drip(Duration.ofMillis(o.firstTokenMs()), o.tokens(), Duration.ofMillis(o.gapMs())));
        AiProviderServer fast =
                track(providers, AiProviderServer.start().drip(Duration.ZERO, o.cpuTokens(), Duration.ZERO));
        AiProviderServer whole = track(providers, AiProviderServer.start().reply("Hello, benchmark."));
        List<AiProviderServer> slow = new ArrayList<>();
        for (int i = 0; i < HEAP_ORIGINS; i++) {
            // Long-lived streams: a first token soon, then one token a second for longer than the measurement.
            slow.add(track(
                    providers, AiProviderServer.start().drip(Duration.ofMillis(50), 100_000, Duration.ofSeconds(1))));
        }
        Path dir = Files.createTempDirectory("a6-stream-bench");
        Map<String, String> env = Map.of("BENCH_KEY", KEY);
        RunnerServer runner = RunnerServer.start(
                RunnerConfig.builder(dir.resolve("runner.sock"))
                        .laneAddress(new InetSocketAddress("127.0.0.1", 0))
                        .build(),
                List.of(new AiGatewayPlugin()),
                RunnerOptions.defaults().withEnvironment(env::get));
        InetSocketAddress lane = runner.laneAddress().orElseThrow();
        String laneNode = lane.getHostString() + ":" + lane.getPort();
        ApisixEmulator.Builder eb = ApisixEmulator.builder()
                .runnerSocket(runner.socketPath())
                .route(route("ttft", "/ttft/*", "lane", drip, laneNode))
                .route(route("cpu", "/cpu/*", "lane", fast, laneNode))
                .route(route("whole-lane", "/wl/*", "lane", whole, laneNode))
                .route(route("whole-invoke", "/wi/*", "invoke", whole, "127.0.0.1:1"));
        for (int i = 0; i < slow.size(); i++) {
            eb.route(route("heap" + i, "/heap" + i + "/*", "lane", slow.get(i), laneNode));
        }
        try (runner;
                ApisixEmulator emulator = eb.build().start()) {
            int ep = emulator.port();
            Map<String, Target> ttft = new LinkedHashMap<>();
            ttft.put(
                    "direct",
                    new Target(
                            "127.0.0.1",
                            drip.port(),
                            StreamingCall.request("127.0.0.1", drip.port(), "/v1/chat/completions", STREAM_CHAT)));
            ttft.put(
                    "lane",
                    new Target(
                            "127.0.0.1",
                            ep,
                            StreamingCall.request("127.0.0.1", ep, "/ttft/v1/chat/completions", STREAM_CHAT)));
            emit(
                    o,
                    String.format(
                            Locale.ROOT,
                            "{\"machine\":\"nproc %d, %s, %s\",\"loadavg\":\"%s\"}",
                            Runtime.getRuntime().availableProcessors(),
                            cpuModel(),
                            Runtime.version(),
                            loadAverage()));

            // JIT warm-up of every path before anything is recorded.
            long warmEnd = System.nanoTime() + o.jitWarmup().toNanos();
            while (System.nanoTime() < warmEnd) {
                for (Target t : ttft.values()) {
                    streams(t, 16, Duration.ZERO, Duration.ofSeconds(1));
                }
                streams(
                        new Target(
                                "127.0.0.1",
                                ep,
                                StreamingCall.request("127.0.0.1", ep, "/cpu/v1/chat/completions", STREAM_CHAT)),
                        2,
                        Duration.ZERO,
                        Duration.ofMillis(500));
                for (String p : List.of("/wl/", "/wi/")) {
                    ClosedLoop.run(
                            "127.0.0.1",
                            ep,
                            BlockingHttpConnection.postRequest("127.0.0.1", ep, p + "v1/chat/completions", WHOLE_CHAT),
                            8,
                            Duration.ZERO,
                            Duration.ofMillis(500),
                            false,
                            r -> r.status() == 200);
                }
            }
            log.println("stream-bench: JIT warm-up done, load " + loadAverage());

            // 1. TTFT, paths interleaved within each round.
            List<TtftPoint> ttftPoints = new ArrayList<>();
            for (int round = 1; round <= o.rounds(); round++) {
                for (int n : o.streams()) {
                    for (Map.Entry<String, Target> e : ttft.entrySet()) {
                        forget(providers);
                        TtftPoint p = streams(e.getValue(), n, o.warmup(), o.seconds())
                                .asPoint(round, e.getKey(), n, loadAverage());
                        ttftPoints.add(p);
                        emit(
                                o,
                                String.format(
                                        Locale.ROOT,
                                        "{\"kind\":\"ttft\",\"round\":%d,\"path\":\"%s\","
                                                + "\"streams\":%d,\"calls\":%d,\"errors\":%d,\"p50_ms\":%.2f,\"p90_ms\":%.2f,"
                                                + "\"p99_ms\":%.2f,\"max_ms\":%.2f,\"loadavg\":\"%s\"}",
                                        round,
                                        e.getKey(),
                                        n,
                                        p.calls(),
                                        p.errors(),
                                        p.ms(50),
                                        p.ms(90),
                                        p.ms(99),
                                        p.ms(100),
                                        p.load()));
                    }
                }
            }

            // 2. CPU per chunk at a high chunk rate.
            List<String> cpuRows = new ArrayList<>();
            Map<String, Target> cpu = new LinkedHashMap<>();
            cpu.put(
                    "direct",
                    new Target(
                            "127.0.0.1",
                            fast.port(),
                            StreamingCall.request("127.0.0.1", fast.port(), "/v1/chat/completions", STREAM_CHAT)));
            cpu.put(
                    "lane",
                    new Target(
                            "127.0.0.1",
                            ep,
                            StreamingCall.request("127.0.0.1", ep, "/cpu/v1/chat/completions", STREAM_CHAT)));
            Map<String, List<double[]>> cpuByPath = new LinkedHashMap<>();
            for (int round = 1; round <= o.rounds(); round++) {
                for (Map.Entry<String, Target> e : cpu.entrySet()) {
                    forget(providers);
                    double[] r = cpuPerChunk(e.getValue(), o.cpuStreams());
                    cpuByPath
                            .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(r);
                    emit(
                            o,
                            String.format(
                                    Locale.ROOT,
                                    "{\"kind\":\"cpu\",\"round\":%d,\"path\":\"%s\","
                                            + "\"chunks\":%.0f,\"seconds\":%.2f,\"process_us_per_chunk\":%.3f,"
                                            + "\"runner_threads_us_per_chunk\":%.3f,\"errors\":%.0f,\"loadavg\":\"%s\"}",
                                    round,
                                    e.getKey(),
                                    r[0],
                                    r[1],
                                    r[2],
                                    r[3],
                                    r[4],
                                    loadAverage()));
                }
            }

            // 3. Heap per open stream.
            List<String> heapRows = new ArrayList<>();
            for (int k : o.heapStreams()) {
                for (String path : List.of("direct", "lane")) {
                    List<Target> targets = new ArrayList<>();
                    for (int i = 0; i < slow.size(); i++) {
                        int port = path.equals("direct") ? slow.get(i).port() : ep;
                        String uri =
                                path.equals("direct") ? "/v1/chat/completions" : "/heap" + i + "/v1/chat/completions";
                        targets.add(new Target(
                                "127.0.0.1", port, StreamingCall.request("127.0.0.1", port, uri, STREAM_CHAT)));
                    }
                    forget(providers);
                    Map<String, String[]> hist = new HashMap<>();
                    double[] h = heapPerStream(targets, k, log, hist);
                    saveHistograms(o, path, k, hist.values().iterator().next());
                    heapRows.add(path + "|" + k + "|"
                            + String.format(
                                    Locale.ROOT, "%.0f|%.0f|%.1f|%.0f|%s", h[0], h[1], h[2], h[3], loadAverage()));
                    emit(
                            o,
                            String.format(
                                    Locale.ROOT,
                                    "{\"kind\":\"heap\",\"path\":\"%s\",\"streams\":%d,"
                                            + "\"baseline_bytes\":%.0f,\"open_bytes\":%.0f,\"kib_per_stream\":%.1f,"
                                            + "\"opened\":%.0f,\"loadavg\":\"%s\"}",
                                    path,
                                    k,
                                    h[0],
                                    h[1],
                                    h[2],
                                    h[3],
                                    loadAverage()));
                }
            }

            // 4. Non-streaming: direct vs invoke vs lane.
            Map<String, byte[]> wholeReq = new LinkedHashMap<>();
            Map<String, Integer> wholePort = Map.of("direct", whole.port(), "invoke", ep, "lane", ep);
            wholeReq.put(
                    "direct",
                    BlockingHttpConnection.postRequest("127.0.0.1", whole.port(), "/v1/chat/completions", WHOLE_CHAT));
            wholeReq.put(
                    "invoke",
                    BlockingHttpConnection.postRequest("127.0.0.1", ep, "/wi/v1/chat/completions", WHOLE_CHAT));
            wholeReq.put(
                    "lane", BlockingHttpConnection.postRequest("127.0.0.1", ep, "/wl/v1/chat/completions", WHOLE_CHAT));
            List<Object[]> wholePoints = new ArrayList<>();
            for (int round = 1; round <= o.rounds(); round++) {
                for (int c : o.wholeClients()) {
                    for (Map.Entry<String, byte[]> e : wholeReq.entrySet()) {
                        forget(providers);
                        ClosedLoop.Result r = ClosedLoop.run(
                                "127.0.0.1",
                                wholePort.get(e.getKey()),
                                e.getValue(),
                                c,
                                o.warmup(),
                                o.wholeSeconds(),
                                false,
                                x -> x.status() == 200);
                        String load = loadAverage();
                        wholePoints.add(new Object[] {e.getKey(), c, r, load});
                        emit(
                                o,
                                String.format(
                                        Locale.ROOT,
                                        "{\"kind\":\"whole\",\"round\":%d,\"path\":\"%s\","
                                                + "\"clients\":%d,\"requests\":%d,\"errors\":%d,\"rps\":%.1f,\"p50_us\":%.1f,"
                                                + "\"p99_us\":%.1f,\"cpu_us_per_req\":%.1f,\"loadavg\":\"%s\"}",
                                        round,
                                        e.getKey(),
                                        c,
                                        r.requests(),
                                        r.errors(),
                                        r.throughput(),
                                        r.micros(50),
                                        r.micros(99),
                                        r.cpuMicrosPerRequest(),
                                        load));
                    }
                }
            }
            log.println("stream-bench: done, load " + loadAverage());
            System.out.println();
            System.out.println(StreamBenchReport.ttftTable(ttftPoints, o));
            System.out.println(StreamBenchReport.cpuTable(cpuByPath, o));
            System.out.println(StreamBenchReport.heapTable(heapRows));
            System.out.println(StreamBenchReport.wholeTable(wholePoints, o));
        } finally {
            providers.forEach(AiProviderServer::close);
        }
    }

    private static AiProviderServer track(List<AiProviderServer> all, AiProviderServer s) {
        all.add(s);
        return s;
    }

    /** The provider fixture records requests in a copy-on-write list; cleared before every point (see AiGatewayBench). */
    private static void forget(List<AiProviderServer> providers) {
        providers.forEach(AiProviderServer::clear);
    }

    private static EmulatorRoute route(String id, String uri, String mode, AiProviderServer provider, String upstream) {
        String conf = """
                {"mode": "%s",
                 "targets": [{"id": "main", "type": "openai", "endpoint": "%s/v1", "model": "bench-model",
                   "credentials": {"env": "BENCH_KEY"},
                   "price": {"input_per_million": 0.15, "output_per_million": 0.6}}],
                 "breaker": {"enabled": false},
                 "timeouts": {"total_ms": %d, "attempt_floor_ms": 10000%s}}""".formatted(
                        mode,
                        provider.baseUrl(),
                        mode.equals("lane") ? 600_000 : 55_000,
                        mode.equals("lane")
                                ? ", \"first_token\": {\"warmup_ms\": 10000, \"floor_ms\": 10000},"
                                        + " \"token_gap\": {\"warmup_ms\": 10000, \"floor_ms\": 10000}"
                                : "");
        String quoted = "\"" + conf.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
        String json = """
                {"uri": "%s", "methods": ["POST"],
                 "plugins": {"ext-plugin-pre-req": {"conf": [{"name": "%s", "value": %s}]}},
                 "upstream": {"type": "roundrobin", "nodes": {"%s": 1}},
                 "timeout": {"connect": 6, "send": 6, "read": 150}}""".formatted(uri, AiGatewayPlugin.NAME, quoted, upstream);
        return EmulatorRoute.fromJson(id, json);
    }

    /** Writes the before/open class histograms next to the raw results, {@code <out>.heap-<path>-<k>.txt}. */
    private static void saveHistograms(StreamBenchOptions o, String path, int k, String[] before) throws IOException {
        if (o.out().isPresent()) {
            Path file = Path.of(o.out().get() + ".heap-" + path + "-" + k + ".txt");
            Files.writeString(file, "# before\n" + before[0] + "\n# with the streams open\n" + before[1]);
        }
    }

    private static void emit(StreamBenchOptions o, String line) throws IOException {
        System.out.println(line);
        if (o.out().isPresent()) {
            Files.writeString(o.out().get(), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
