package org.a6suite.bench.fallback;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;

/**
 * adaptive-fallback on the runner's lane. One JVM, all on loopback: an EchoBackend, the a6 runner
 * (unix socket + HTTP lane) serving the real plugin, and the APISIX emulator with two routes to the same backend:
 * {@code /direct/*} proxied by the emulator itself (no plugin) and {@code /lane/*} with {@code adaptive-fallback} in
 * lane mode (pre-req hands off, the emulator proxies to the lane, the lane proxies to the backend).
 *
 * <ol>
 *   <li><b>overhead</b>: closed-loop GETs at 1, 16 and 64 concurrent clients, each level run on both routes in turn
 *       (direct first), {@code --warmup} s unrecorded then {@code --measure} s recorded: latency percentiles,
 *       requests/s and the process CPU time per request (client, emulator, runner and backend together: the
 *       difference between the routes is what the lane adds).</li>
 *   <li><b>hang</b>: the issue's scenario. Both routes' upstream timeout is connect 1 s / read 5 s. After a healthy
 *       warm-up the backend hangs (reads the request, never answers) and 30 GETs arrive over 3 s on each route;
 *       every request's wait and status is reported, worst first, and for each lane request that waited for the
 *       upstream its attempt deadline ({@code Server-Timing: a6-budget}) and its wait minus that deadline, with the
 *       worst: "client wait <= deadline + X ms".</li>
 * </ol>
 *
 * <pre>{@code java -cp ... org.a6suite.bench.fallback.LaneBench [--warmup 3] [--measure 8] [--levels 1,16,64]}</pre>
 */
public final class LaneBench {

    private LaneBench() {}

    public static void main(String[] args) throws Exception {
        int warmup = 3;
        int measure = 8;
        List<Integer> levels = List.of(1, 16, 64);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--measure" -> measure = Integer.parseInt(args[i + 1]);
                case "--levels" ->
                    levels = java.util.Arrays.stream(args[i + 1].split(","))
                            .map(Integer::parseInt)
                            .toList();
                default -> throw new IllegalArgumentException(args[i] + " (expected: --warmup, --measure, --levels)");
            }
        }
        Path dir = Files.createTempDirectory("a6-lane-bench");
        try (EchoBackend backend = EchoBackend.start()) {
            backend.recordRequests(false);
            AdaptiveFallbackPlugin plugin = new AdaptiveFallbackPlugin();
            RunnerServer runner = RunnerServer.start(
                    RunnerConfig.builder(dir.resolve("r.sock"))
                            .laneAddress(new InetSocketAddress("127.0.0.1", 0))
                            .build(),
                    List.of(plugin));
            InetSocketAddress lane = runner.laneAddress().orElseThrow();
            ApisixEmulator emulator = ApisixEmulator.builder()
                    .runnerSocket(runner.socketPath())
                    .route(EmulatorRoute.fromJson("1", route("/direct/*", null, backend.hostPort())))
                    .route(EmulatorRoute.fromJson(
                            "2", route("/lane/*", pluginValue(backend.hostPort()), "127.0.0.1:" + lane.getPort())))
                    .build()
                    .start();
            try {
                System.out.printf(
                        Locale.ROOT,
                        "lane-bench: nproc %d, load %s%n",
                        Runtime.getRuntime().availableProcessors(),
                        load());
                overhead(emulator.baseUri(), levels, warmup, measure);
                hang(emulator.baseUri(), backend);
                System.out.printf(Locale.ROOT, "lane-bench: load after %s%n", load());
            } finally {
                emulator.close();
                runner.close();
            }
        }
    }

    private static String pluginValue(String backend) {
        return ("{\"lane\":{\"upstream\":{\"nodes\":{\"%s\":1},\"timeout\":{\"connect\":1,\"send\":5,\"read\":5}},"
                        + "\"attempt_timeout\":{\"floor_ms\":200,\"min_samples\":20,\"warmup_ms\":1000}},"
                        + "\"cache\":{\"cache_set_cookie\":true},"
                        + "\"static\":{\"status\":200,\"body\":\"{\\\"items\\\":[]}\"}}")
                .formatted(backend);
    }

    private static String route(String uri, String pluginValue, String node) {
        String plugins = pluginValue == null
                ? "{}"
                : "{\"ext-plugin-pre-req\":{\"conf\":[{\"name\":\"adaptive-fallback\"," + "\"value\":"
                        + jsonString(pluginValue) + "}]}}";
        return "{\"uri\":\"" + uri + "\",\"plugins\":" + plugins + ",\"upstream\":{\"type\":\"roundrobin\","
                + "\"nodes\":{\"" + node + "\":1},\"timeout\":{\"connect\":1,\"send\":5,\"read\":5}}}";
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0] + " "
                + Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[1];
    }

    // ---------------------------------------------------------------- overhead

    private record Result(double rps, Histogram latency, double cpuMicrosPerRequest, long errors) {}

    private static void overhead(URI base, List<Integer> levels, int warmup, int measure) throws Exception {
        System.out.println();
        System.out.println("| clients | route | requests/s | p50 ms | p90 ms | p99 ms | CPU µs/request | errors |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|");
        for (int clients : levels) {
            Result direct = run(base.resolve("/direct/items/1"), clients, warmup, measure);
            Result lane = run(base.resolve("/lane/items/1"), clients, warmup, measure);
            row(clients, "direct (emulator proxies)", direct);
            row(clients, "lane (adaptive-fallback)", lane);
            System.out.printf(
                    Locale.ROOT,
                    "| %d | **added by the lane** | | **%+.3f** | %+.3f | %+.3f | **%+.1f** | |%n",
                    clients,
                    ms(lane.latency.getValueAtPercentile(50)) - ms(direct.latency.getValueAtPercentile(50)),
                    ms(lane.latency.getValueAtPercentile(90)) - ms(direct.latency.getValueAtPercentile(90)),
                    ms(lane.latency.getValueAtPercentile(99)) - ms(direct.latency.getValueAtPercentile(99)),
                    lane.cpuMicrosPerRequest - direct.cpuMicrosPerRequest);
        }
    }

    private static void row(int clients, String name, Result r) {
        System.out.printf(
                Locale.ROOT,
                "| %d | %s | %.0f | %.3f | %.3f | %.3f | %.1f | %d |%n",
                clients,
                name,
                r.rps,
                ms(r.latency.getValueAtPercentile(50)),
                ms(r.latency.getValueAtPercentile(90)),
                ms(r.latency.getValueAtPercentile(99)),
                r.cpuMicrosPerRequest,
                r.errors);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static Result run(URI uri, int clients, int warmupSeconds, int measureSeconds) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
        Recorder recorder = new Recorder(3);
        AtomicBoolean recording = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    if (recording.get()) {
                        recorder.recordValue(System.nanoTime() - t0);
                        count.incrementAndGet();
                    }
                }
            }));
        }
        Thread.sleep(warmupSeconds * 1000L);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        recorder.reset();
        errors.set(0);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        recording.set(true);
        Thread.sleep(measureSeconds * 1000L);
        recording.set(false);
        long elapsed = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long n = count.get();
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        http.close();
        return new Result(n * 1e9 / elapsed, recorder.getIntervalHistogram(), n == 0 ? 0 : cpu / 1e3 / n, errors.get());
    }

    // ---------------------------------------------------------------- hang

    private static void hang(URI base, EchoBackend backend) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        backend.fault(Fault.NONE);
        for (int i = 0; i < 200; i++) {
            for (String route : List.of("/direct", "/lane")) {
                http.send(
                        HttpRequest.newBuilder(base.resolve(route + "/items/" + (i % 5)))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
        backend.fault(Fault.hang());
        record Wait(String route, int n, int status, String fallback, long millis, long nanos, OptionalLong budgetMs) {}
        List<CompletableFuture<Wait>> waits = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            for (String route : List.of("/direct", "/lane")) {
                int n = i;
                long t0 = System.nanoTime();
                waits.add(http.sendAsync(
                                HttpRequest.newBuilder(base.resolve(route + "/items/" + (i % 5)))
                                        .timeout(Duration.ofSeconds(90))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .handle((r, e) -> {
                            long took = System.nanoTime() - t0;
                            return new Wait(
                                    route,
                                    n,
                                    r == null ? 0 : r.statusCode(),
                                    r == null
                                            ? "-"
                                            : r.headers()
                                                    .firstValue("x-a6-fallback")
                                                    .orElse("-"),
                                    took / 1_000_000,
                                    took,
                                    r == null ? OptionalLong.empty() : budget(r));
                        }));
            }
            Thread.sleep(100);
        }
        List<Wait> all = waits.stream().map(CompletableFuture::join).toList();
        backend.fault(Fault.NONE);
        System.out.println();
        System.out.println("| route | requests | worst wait ms | p50 ms | statuses | answered by the plugin |");
        System.out.println("|---|---:|---:|---:|---|---:|");
        for (String route : List.of("/direct", "/lane")) {
            List<Wait> w = all.stream().filter(x -> x.route.equals(route)).toList();
            long[] ms = w.stream().mapToLong(Wait::millis).sorted().toArray();
            var statuses = new java.util.TreeMap<Integer, Long>();
            w.forEach(x -> statuses.merge(x.status, 1L, Long::sum));
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %s | %d |%n",
                    route,
                    w.size(),
                    ms[ms.length - 1],
                    ms[ms.length / 2],
                    statuses,
                    w.stream().filter(x -> !x.fallback.equals("-")).count());
        }
        System.out.println();
        System.out.print("lane waits in arrival order (ms/fallback): ");
        all.stream()
                .filter(x -> x.route.equals("/lane"))
                .forEach(x -> System.out.print(x.millis + "/" + x.fallback + " "));
        System.out.println();
        // The issue's bound is per request against the attempt deadline the lane had (Server-Timing: a6-budget);
        // answers from pre-req (circuit open) carry no budget: they never waited for the upstream.
        System.out.println();
        System.out.println("| # | status | answered by | budget ms | client wait ms | wait - budget ms |");
        System.out.println("|---:|---:|---|---:|---:|---:|");
        double worst = Double.NEGATIVE_INFINITY;
        int withBudget = 0;
        for (Wait x : all.stream().filter(w -> w.route.equals("/lane")).toList()) {
            double waited = x.nanos / 1e6;
            String over = "-";
            if (x.budgetMs.isPresent()) {
                double o = waited - x.budgetMs.getAsLong();
                worst = Math.max(worst, o);
                withBudget++;
                over = String.format(Locale.ROOT, "%+.1f", o);
            }
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %d | %s | %s | %.1f | %s |%n",
                    x.n,
                    x.status,
                    x.fallback,
                    x.budgetMs.isPresent() ? String.valueOf(x.budgetMs.getAsLong()) : "-",
                    waited,
                    over);
        }
        System.out.println();
        if (withBudget == 0) {
            System.out.println("lane-bench: no lane request waited for the upstream (none carried a6-budget)");
        } else {
            System.out.printf(
                    Locale.ROOT,
                    "lane-bench: client wait <= attempt deadline + %.1f ms (worst of %d lane requests that waited for"
                            + " the upstream)%n",
                    worst,
                    withBudget);
        }
        http.close();
    }

    private static final Pattern BUDGET = Pattern.compile("a6-budget;dur=([0-9]+)");

    /** The attempt deadline the lane had for this request, from its {@code Server-Timing: a6-budget;dur=<ms>}. */
    private static OptionalLong budget(HttpResponse<?> r) {
        return r.headers().allValues("server-timing").stream()
                .map(BUDGET::matcher)
                .filter(Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(1)))
                .findFirst();
    }
}
