package org.a6suite.bench.ai;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.a6suite.bench.HostFacts.loadAverage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.emulator.ExtPluginConf;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.testing.ai.AiProviderServer;
import org.a6suite.testing.ai.Fault;

/**
 * The latency the ai-gateway path adds over calling the provider directly, and the time to a
 * fallback answer when the first provider hangs. Everything runs in this JVM on loopback: the provider test server,
 * the a6 runner with the real {@link AiGatewayPlugin}, and the APISIX emulator in front (as APISIX would be).
 *
 * <pre>
 *   direct       client ──HTTP──▶ provider
 *   passthrough  client ──HTTP──▶ emulator ──HTTP──▶ provider                    (no plugin: the HTTP hop APISIX adds)
 *   gateway      client ──HTTP──▶ emulator ──A6/unix──▶ runner + ai-gateway ──HTTP──▶ provider
 * </pre>
 *
 * gateway − direct is what a client pays for the whole path; gateway − passthrough is what the runner and the
 * plugin add on top of the proxy hop any APISIX route costs. The emulator is a Netty test fixture, not nginx, so
 * its own hop is only indicative of APISIX's.
 *
 * <p>Usage: {@code AiGatewayBench [--seconds 10] [--warmup 3] [--rounds 3] [--connections "1 16 64"]
 * [--fallback-seconds 10] [--fallback-connections "1 16"] [--attempt-deadline-ms 500] [--call-log on|off]
 * [--jit-warmup 8] [--out results.jsonl]}. Prints one JSON line per point on stdout while running, then markdown tables of medians.
 *
 * <p>Why one file of ~430 lines: a benchmark driver whose three paths and two phases read top to bottom in one place,
 * next to their section in {@code docs/benchmarks.md}.
 */
public final class AiGatewayBench {

    private static final String KEY = "sk-bench-provider-key";
    private static final byte[] CHAT = """
            {"model":"bench-model","messages":[{"role":"system","content":"You are terse."},\
            {"role":"user","content":"Say hello to the benchmark."}]}""".getBytes(UTF_8);
    private static final List<String> PATHS = List.of("direct", "passthrough", "gateway");

    private record Options(
            Duration seconds,
            Duration warmup,
            int rounds,
            List<Integer> connections,
            Duration fallbackSeconds,
            List<Integer> fallbackConnections,
            int attemptDeadlineMs,
            boolean callLog,
            Duration jitWarmup,
            Optional<Path> out) {}

    /** One measured point of one round. */
    private record Point(
            int round,
            String path,
            int clients,
            ClosedLoop.Result result,
            long runnerConnections,
            String loadAverage) {}

    private AiGatewayBench() {}

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        PrintStream log = System.err;
        try (AiProviderServer provider = AiProviderServer.start().reply("Hello, benchmark.");
                AiProviderServer hanging = AiProviderServer.start().defaultFault(Fault.hang());
                AiProviderServer backup =
                        AiProviderServer.start().expectKey(KEY).reply("Hello from the backup.")) {
            Path dir = Files.createTempDirectory("a6-ai-bench");
            Map<String, String> env = Map.of("BENCH_KEY", KEY);
            RunnerServer runner = RunnerServer.start(
                    RunnerConfig.builder(dir.resolve("runner.sock")).build(),
                    List.of(new AiGatewayPlugin()),
                    RunnerOptions.defaults().withEnvironment(env::get));
            try (runner;
                    ApisixEmulator emulator = ApisixEmulator.builder()
                            .runnerSocket(runner.socketPath())
                            .route(route("gateway", "/gw/*", Optional.of(gatewayConfig(provider, o)), provider))
                            .route(route("passthrough", "/pass/*", Optional.empty(), provider))
                            .route(route(
                                    "fallback", "/fb/*", Optional.of(fallbackConfig(hanging, backup, o)), provider))
                            .build()
                            .start()) {
                int emulatorPort = emulator.port();
                Map<String, byte[]> requests = Map.of(
                        "direct",
                                BlockingHttpConnection.postRequest(
                                        "127.0.0.1", provider.port(), "/v1/chat/completions", CHAT),
                        "passthrough",
                                BlockingHttpConnection.postRequest(
                                        "127.0.0.1", emulatorPort, "/pass/v1/chat/completions", CHAT),
                        "gateway",
                                BlockingHttpConnection.postRequest(
                                        "127.0.0.1", emulatorPort, "/gw/v1/chat/completions", CHAT));
                Predicate<BlockingHttpConnection.Response> ok = r -> r.status() == 200;
                // JIT warm-up of every path before any measurement: without it the first points (1 client) also pay
                // for C2 compiling the runner and plugin, which on 2 cores shows up as milliseconds per request.
                for (String path : PATHS) {
                    int port = path.equals("direct") ? provider.port() : emulatorPort;
                    ClosedLoop.run("127.0.0.1", port, requests.get(path), 16, Duration.ZERO, o.jitWarmup(), false, ok);
                }
                ClosedLoop.run(
                        "127.0.0.1",
                        emulatorPort,
                        BlockingHttpConnection.postRequest("127.0.0.1", emulatorPort, "/fb/v1/chat/completions", CHAT),
                        16,
                        Duration.ZERO,
                        Duration.ofSeconds(2),
                        false,
                        ok);
                double idle = ClosedLoop.idleCpuCores(Duration.ofSeconds(3));
                log.println("ai-bench: JIT warm-up done");
                emit(
                        o,
                        String.format(
                                Locale.ROOT, "{\"idle_cpu_cores\":%.3f,\"loadavg_1m\":\"%s\"}", idle, loadAverage()));
                List<Point> points = new ArrayList<>();
                for (int round = 1; round <= o.rounds(); round++) {
                    for (int clients : o.connections()) {
                        // Paths interleaved within each round so slow drift (other load, JIT) hits all alike.
                        for (String path : PATHS) {
                            int port = path.equals("direct") ? provider.port() : emulatorPort;
                            forgetRequests(provider, hanging, backup);
                            long opened = emulator.runnerConnectionsOpened();
                            ClosedLoop.Result r = ClosedLoop.run(
                                    "127.0.0.1", port, requests.get(path), clients, o.warmup(), o.seconds(), false, ok);
                            Point p = new Point(
                                    round,
                                    path,
                                    clients,
                                    r,
                                    emulator.runnerConnectionsOpened() - opened,
                                    loadAverage());
                            points.add(p);
                            emit(o, json(p));
                        }
                    }
                }
                byte[] fallbackRequest =
                        BlockingHttpConnection.postRequest("127.0.0.1", emulatorPort, "/fb/v1/chat/completions", CHAT);
                Predicate<BlockingHttpConnection.Response> fromBackup = r -> r.status() == 200
                        && "backup".equals(r.headers().get("x-a6-ai-target"))
                        && "2".equals(r.headers().get("x-a6-ai-attempts"));
                List<Point> fallbacks = new ArrayList<>();
                for (int clients : o.fallbackConnections()) {
                    forgetRequests(provider, hanging, backup);
                    ClosedLoop.Result r = ClosedLoop.run(
                            "127.0.0.1",
                            emulatorPort,
                            fallbackRequest,
                            clients,
                            Duration.ofSeconds(2),
                            o.fallbackSeconds(),
                            true,
                            fromBackup);
                    Point p = new Point(1, "fallback", clients, r, 0, loadAverage());
                    fallbacks.add(p);
                    emit(o, json(p));
                }
                log.println("ai-bench: done");
                System.out.println();
                System.out.println(latencyTable(points, o));
                System.out.println(fallbackTable(fallbacks, o));
            }
        }
    }

    /**
     * The provider test server records every request in a copy-on-write list (it is a test fixture): left alone, each
     * request would copy all earlier ones and the provider would get slower through the run. Cleared before every
     * point; {@code clear()} keeps the default fault, so the hanging target keeps hanging.
     */
    private static void forgetRequests(AiProviderServer... servers) {
        for (AiProviderServer s : servers) {
            s.clear();
        }
    }

    private static EmulatorRoute route(String id, String uri, Optional<String> aiGateway, AiProviderServer upstream) {
        EmulatorRoute.Builder b =
                EmulatorRoute.builder(id).uri(uri).method("POST").upstream("127.0.0.1", upstream.port());
        aiGateway.ifPresent(conf -> b.preReq(ExtPluginConf.of(ExtPluginConf.Entry.of(AiGatewayPlugin.NAME, conf))));
        return b.build();
    }

    /**
     * One priced OpenAI target, default retry and breaker, and the attempt deadline held at 10 s. Why held: with the
     * default adaptive deadline (2 × p99, floor 1 s) a CPU-starvation stall on this shared 2-core machine timed out
     * dozens of in-flight calls at once, the breaker of the only target opened and the point measured 30 s of fast
     * 503s (as designed: this measures the path, not the breaker).
     */
    private static String gatewayConfig(AiProviderServer provider, Options o) {
        return """
                {"targets": [{"id": "main", "type": "openai", "endpoint": "%s/v1", "model": "bench-model",
                  "credentials": {"env": "BENCH_KEY"},
                  "price": {"input_per_million": 0.15, "output_per_million": 0.6}}],
                 "timeouts": {"attempt_floor_ms": 10000},
                 "log": {"enabled": %s}}""".formatted(provider.baseUrl(), o.callLog());
    }

    /**
     * A hanging first target and a healthy second one, one attempt each, the attempt deadline pinned (floor =
     * ceiling = warm-up) so it cannot drift with observed latency, and the breaker off so every call really waits
     * for the hanging target (with the breaker on, it would open after 20 calls and fall back at once).
     */
    private static String fallbackConfig(AiProviderServer hanging, AiProviderServer backup, Options o) {
        int d = o.attemptDeadlineMs();
        return """
                {"targets": [
                  {"id": "hanging", "type": "openai", "endpoint": "%s/v1", "model": "bench-model",
                   "credentials": {"env": "BENCH_KEY"}, "priority": 0},
                  {"id": "backup", "type": "openai", "endpoint": "%s/v1", "model": "bench-model",
                   "credentials": {"env": "BENCH_KEY"}, "priority": 1}],
                 "retry": {"max_attempts": 1},
                 "breaker": {"enabled": false},
                 "timeouts": {"total_ms": 10000, "attempt_floor_ms": %d, "attempt_ceiling_ms": %d,
                              "attempt_warmup_ms": %d},
                 "log": {"enabled": %s}}""".formatted(hanging.baseUrl(), backup.baseUrl(), d, d, d, o.callLog());
    }

    private static void emit(Options o, String line) throws IOException {
        System.out.println(line);
        if (o.out().isPresent()) {
            Files.writeString(o.out().get(), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static String json(Point p) {
        ClosedLoop.Result r = p.result();
        return String.format(
                Locale.ROOT,
                "{\"round\":%d,\"path\":\"%s\",\"clients\":%d,\"requests\":%d,"
                        + "\"errors\":%d,\"rps\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
                        + "\"p999_us\":%.1f,\"max_us\":%.1f,\"cpu_us_per_req\":%.1f,\"runner_connections_opened\":%d,"
                        + "\"loadavg_1m\":\"%s\",\"error_statuses\":\"%s\"}",
                p.round(),
                p.path(),
                p.clients(),
                r.requests(),
                r.errors(),
                r.throughput(),
                r.micros(50),
                r.micros(90),
                r.micros(99),
                r.micros(99.9),
                r.histogram().getMaxValue() / 1_000.0,
                r.cpuMicrosPerRequest(),
                p.runnerConnections(),
                p.loadAverage(),
                r.errorStatuses());
    }

    private static double median(List<Point> points, String path, int clients, ToDoubleFunction<Point> metric) {
        double[] values = points.stream()
                .filter(p -> p.path().equals(path) && p.clients() == clients)
                .mapToDouble(metric)
                .sorted()
                .toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static String latencyTable(List<Point> points, Options o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "Medians of %d rounds, %d s measured after %d s warm-up per point; " + "latencies in ms.%n%n",
                o.rounds(),
                o.seconds().toSeconds(),
                o.warmup().toSeconds()));
        sb.append(
                "| clients | direct p50 | direct p99 | passthrough p50 | passthrough p99 | gateway p50 | "
                        + "gateway p99 | **added p50** (gw−direct) | **added p99** (gw−direct) | plugin p50 (gw−pass) | "
                        + "plugin p99 (gw−pass) | rps direct / pass / gw | CPU µs/req direct / pass / gw | errors | load 1m |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|\n");
        for (int c : o.connections()) {
            Map<String, double[]> m = new LinkedHashMap<>();
            List<String> loads = new ArrayList<>();
            for (String path : PATHS) {
                m.put(path, new double[] {
                    median(points, path, c, p -> p.result().micros(50)) / 1000,
                    median(points, path, c, p -> p.result().micros(99)) / 1000,
                    median(points, path, c, p -> p.result().throughput()),
                    median(points, path, c, p -> p.result().cpuMicrosPerRequest()),
                    points.stream()
                            .filter(p -> p.path().equals(path) && p.clients() == c)
                            .mapToLong(p -> p.result().errors())
                            .sum()
                });
                loads.addAll(points.stream()
                        .filter(p -> p.path().equals(path) && p.clients() == c)
                        .map(Point::loadAverage)
                        .toList());
            }
            double[] d = m.get("direct");
            double[] pass = m.get("passthrough");
            double[] gw = m.get("gateway");
            sb.append(String.format(
                    Locale.ROOT,
                    "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | **%.3f** | **%.3f** | %.3f | %.3f | "
                            + "%.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %.0f | %s |%n",
                    c,
                    d[0],
                    d[1],
                    pass[0],
                    pass[1],
                    gw[0],
                    gw[1],
                    gw[0] - d[0],
                    gw[1] - d[1],
                    gw[0] - pass[0],
                    gw[1] - pass[1],
                    d[2],
                    pass[2],
                    gw[2],
                    d[3],
                    pass[3],
                    gw[3],
                    d[4] + pass[4] + gw[4],
                    LoadRange.of(loads)));
        }
        return sb.toString();
    }

    private static String fallbackTable(List<Point> fallbacks, Options o) {
        StringBuilder sb = new StringBuilder();
        int deadline = o.attemptDeadlineMs();
        sb.append(String.format(
                Locale.ROOT,
                "%nTime to a fallback answer (first target hangs, attempt deadline %d ms, "
                        + "target ≤ %d ms); %d s measured per row, latencies in ms.%n%n",
                deadline,
                deadline + 50,
                o.fallbackSeconds().toSeconds()));
        sb.append("| clients | calls | p50 | p99 | max | max − deadline | wrong answers | load 1m |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Point p : fallbacks) {
            ClosedLoop.Result r = p.result();
            double max = r.histogram().getMaxValue() / 1e6;
            sb.append(String.format(
                    Locale.ROOT,
                    "| %d | %d | %.1f | %.1f | %.1f | %.1f | %d | %s |%n",
                    p.clients(),
                    r.requests(),
                    r.micros(50) / 1000,
                    r.micros(99) / 1000,
                    max,
                    max - deadline,
                    r.errors(),
                    p.loadAverage()));
        }
        return sb.toString();
    }

    private static Options parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("argument " + args[i] + " (expected: --name value pairs)");
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        Options o = new Options(
                Duration.ofSeconds(Long.parseLong(a.getOrDefault("seconds", "10"))),
                Duration.ofSeconds(Long.parseLong(a.getOrDefault("warmup", "3"))),
                Integer.parseInt(a.getOrDefault("rounds", "3")),
                ints(a.getOrDefault("connections", "1 16 64")),
                Duration.ofSeconds(Long.parseLong(a.getOrDefault("fallback-seconds", "10"))),
                ints(a.getOrDefault("fallback-connections", "1 16")),
                Integer.parseInt(a.getOrDefault("attempt-deadline-ms", "500")),
                !"off".equals(a.getOrDefault("call-log", "on")),
                Duration.ofSeconds(Long.parseLong(a.getOrDefault("jit-warmup", "8"))),
                Optional.ofNullable(a.get("out")).map(Path::of));
        a.keySet()
                .removeAll(List.of(
                        "seconds",
                        "warmup",
                        "rounds",
                        "connections",
                        "fallback-seconds",
                        "fallback-connections",
                        "attempt-deadline-ms",
                        "call-log",
                        "jit-warmup",
                        "out"));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + a.keySet());
        }
        return o;
    }

    private static List<Integer> ints(String list) {
        return Arrays.stream(list.trim().split("[ ,]+")).map(Integer::parseInt).toList();
    }
}
