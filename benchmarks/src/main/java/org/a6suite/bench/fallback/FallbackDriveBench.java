package org.a6suite.bench.fallback;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;

/**
 * Time to a fallback answer when a backend starts hanging (or answering 503), with and without
 * {@code adaptive-fallback}. One JVM: two EchoBackends, the a6 runner on a unix socket serving the
 * plugin, the APISIX emulator with two routes of the same shape ({@code /fb/items/*} with the plugin in pre-req and
 * post-resp, one value; {@code /plain/items/*} without), both with upstream {@code timeout.read} of 3 s. Open-loop
 * traffic hits both routes; after the steady phase both backends get the fault at once, later both recover.
 * Each scenario starts a fresh stack so no breaker or cache state carries over. Run by benchmarks/fallback-bench.sh.
 */
public final class FallbackDriveBench {

    private static final String WITH = "/fb";
    private static final String WITHOUT = "/plain";
    /** The steady baseline skips the first second after the warm-up (connections being opened again). */
    private static final long STEADY_SKIP_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A sampled change: circuit state of the plugin route, or the first backend request after the restore. */
    private record Event(double seconds, String what) {}

    private FallbackDriveBench() {}

    public static void main(String[] args) throws Exception {
        DriveOptions o = DriveOptions.parse(args);
        PrintStream out = System.out;
        out.printf(
                Locale.ROOT,
                "fallback drive: rate %d req/s per route, %d keys, warm-up %ds, steady %ds, fault %ds, "
                        + "recovery %ds, fast <= %d ms, plugin config %s%n",
                o.rate(),
                o.keys(),
                o.warmup().toSeconds(),
                o.steady().toSeconds(),
                o.fault().toSeconds(),
                o.recovery().toSeconds(),
                o.fastThreshold().toMillis(),
                pluginConfig(o));
        for (String scenario : o.scenarios()) {
            runScenario(scenario, o, out);
        }
    }

    static String pluginConfig(DriveOptions o) {
        // Defaults except unanswered_timeout_ms and wait_in_open_ms (10 s each by default; shorter keeps the run short)
        // and cache_set_cookie, which EchoBackend's Set-Cookie answers need to be cached at all.
        return String.format(
                Locale.ROOT,
                "{\"breaker\":{\"wait_in_open_ms\":%d},\"unanswered_timeout_ms\":%d,"
                        + "\"cache\":{\"cache_set_cookie\":true},"
                        + "\"static\":{\"status\":200,\"content_type\":\"application/json\",\"body\":\"{\\\"items\\\":[]}\"}}",
                Math.round(o.waitInOpenSeconds() * 1000),
                Math.round(o.unansweredTimeoutSeconds() * 1000));
    }

    private static String routeJson(
            String prefix, Optional<String> pluginConfig, EchoBackend backend, Duration readTimeout) {
        String plugins = pluginConfig
                .map(c -> {
                    String entry = "{\"conf\":[{\"name\":\"" + AdaptiveFallbackPlugin.NAME + "\",\"value\":\""
                            + escape(c) + "\"}],\"allow_degradation\":true}";
                    return ",\"plugins\":{\"ext-plugin-pre-req\":" + entry + ",\"ext-plugin-post-resp\":" + entry + "}";
                })
                .orElse("");
        return "{\"uri\":\"" + prefix + "/items/*\"" + plugins + ",\"upstream\":{\"type\":\"roundrobin\","
                + "\"nodes\":{\"" + backend.hostPort() + "\":1},\"timeout\":{\"connect\":1,\"send\":"
                + readTimeout.toSeconds() + ",\"read\":" + readTimeout.toSeconds() + "}}}";
    }

    private static void runScenario(String scenario, DriveOptions o, PrintStream out) throws Exception {
        Fault fault = scenario.equals("hang") ? Fault.hang() : Fault.status(503);
        String loadBefore = loadAverage();
        Path dir = Files.createTempDirectory("a6-fb-bench");
        AdaptiveFallbackPlugin plugin = new AdaptiveFallbackPlugin();
        try (EchoBackend withBackend = EchoBackend.start();
                EchoBackend withoutBackend = EchoBackend.start()) {
            withBackend.recordRequests(false);
            withoutBackend.recordRequests(false);
            RunnerServer runner = RunnerServer.start(
                    RunnerConfig.builder(dir.resolve("runner.sock")).build(), List.of(plugin));
            try (runner;
                    ApisixEmulator emulator = ApisixEmulator.builder()
                            .runnerSocket(runner.socketPath())
                            .route(EmulatorRoute.fromJson(
                                    "fb",
                                    routeJson(
                                            WITH, Optional.of(pluginConfig(o)), withBackend, o.upstreamReadTimeout())))
                            .route(EmulatorRoute.fromJson(
                                    "plain",
                                    routeJson(WITHOUT, Optional.empty(), withoutBackend, o.upstreamReadTimeout())))
                            .build()
                            .start()) {
                // JIT warm-up and cache fill, not recorded: without it the first seconds of a cold JVM on a busy
                // 2-core machine take over a second per request and would be the "steady" baseline.
                try (Traffic warm = new Traffic(
                        emulator.baseUri(),
                        List.of(WITH, WITHOUT),
                        o.rate(),
                        o.keys(),
                        o.clientTimeout(),
                        System.nanoTime())) {
                    warm.start();
                    Thread.sleep(o.warmup().toMillis());
                    warm.stopAndDrain(Duration.ofSeconds(10));
                }
                long origin = System.nanoTime();
                List<Event> events = new CopyOnWriteArrayList<>();
                long[] marks = new long[2]; // fault, restore (ns since origin); 0 = not yet
                Thread sampler = Thread.ofPlatform()
                        .daemon()
                        .name("fallback-bench-sampler")
                        .start(() -> sample(plugin, withBackend, withoutBackend, origin, marks, events));
                try (Traffic traffic = new Traffic(
                        emulator.baseUri(), List.of(WITH, WITHOUT), o.rate(), o.keys(), o.clientTimeout(), origin)) {
                    traffic.start();
                    sleepUntil(origin + o.steady().toNanos());
                    withBackend.fault(fault);
                    withoutBackend.fault(fault);
                    marks[0] = System.nanoTime() - origin;
                    sleepUntil(origin + marks[0] + o.fault().toNanos());
                    withBackend.fault(Fault.NONE);
                    withoutBackend.fault(Fault.NONE);
                    marks[1] = System.nanoTime() - origin;
                    sleepUntil(origin + marks[1] + o.recovery().toNanos());
                    long end = System.nanoTime() - origin;
                    // Requests that hang on the post-resp path wait for APISIX's 60 s fetch timeout.
                    traffic.stopAndDrain(o.clientTimeout().plusSeconds(5));
                    long stillOpen = traffic.inFlight();
                    sampler.interrupt();
                    List<Sample> samples = traffic.samples();
                    report(scenario, o, out, samples, marks, end, events, stillOpen, loadBefore);
                }
            }
        } finally {
            deleteTempDir(dir);
        }
    }

    /** Every 20 ms: the plugin route's circuit state, and the first request reaching each backend after restore. */
    private static void sample(
            AdaptiveFallbackPlugin plugin,
            EchoBackend withBackend,
            EchoBackend withoutBackend,
            long origin,
            long[] marks,
            List<Event> events) {
        String last = "";
        long withAtRestore = -1, withoutAtRestore = -1;
        boolean withSeen = false, withoutSeen = false;
        while (!Thread.currentThread().isInterrupted()) {
            double t = (System.nanoTime() - origin) / 1e9;
            String state = plugin.routeState("route#fb")
                    .map(r -> r.breaker().state().name())
                    .orElse("ABSENT");
            if (!state.equals(last)) {
                events.add(new Event(t, "circuit " + state));
                last = state;
            }
            if (marks[1] != 0) {
                if (withAtRestore < 0) {
                    withAtRestore = withBackend.requestCount();
                    withoutAtRestore = withoutBackend.requestCount();
                }
                if (!withSeen && withBackend.requestCount() > withAtRestore) {
                    events.add(new Event(t, "with-plugin backend receives a request again"));
                    withSeen = true;
                }
                if (!withoutSeen && withoutBackend.requestCount() > withoutAtRestore) {
                    events.add(new Event(t, "without-plugin backend receives a request again"));
                    withoutSeen = true;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void report(
            String scenario,
            DriveOptions o,
            PrintStream out,
            List<Sample> samples,
            long[] marks,
            long end,
            List<Event> events,
            long stillOpen,
            String loadBefore)
            throws IOException {
        long fastNanos = o.fastThreshold().toNanos();
        List<RouteReport> reports = new ArrayList<>();
        for (String route : List.of(WITH, WITHOUT)) {
            reports.add(RouteReport.of(route, samples, STEADY_SKIP_NANOS, marks[0], marks[1], end, fastNanos));
        }
        out.printf(
                Locale.ROOT,
                "%n### scenario %s (fault at %.2f s, restore at %.2f s, end %.2f s; load %s -> %s;"
                        + " requests still open after drain: %d)%n%n",
                scenario,
                marks[0] / 1e9,
                marks[1] / 1e9,
                end / 1e9,
                loadBefore,
                loadAverage(),
                stillOpen);
        out.println("| route | steady p50 / p99 ms | fault: requests | fast (<= "
                + o.fastThreshold().toMillis()
                + " ms, 2xx) | X-A6-Fallback | failed (5xx/none) | >= 1 s | p50 / p99 / max ms | time to fast answers"
                + " | recovery: failed | first backend answer | last fallback |");
        out.println("|---|---|---:|---:|---:|---:|---:|---|---|---:|---|---|");
        for (RouteReport r : reports) {
            RouteReport.Window f = r.fault();
            out.printf(
                    Locale.ROOT,
                    "| %s | %.1f / %.1f | %d | %s | %s | %s | %s | %.1f / %.1f / %.0f | %s | %d | %s | %s |%n",
                    r.route().equals(WITH) ? "with adaptive-fallback" : "without plugin",
                    r.steady().p50Ms(),
                    r.steady().p99Ms(),
                    f.requests(),
                    f.share(f.fast()),
                    f.share(f.fromFallback()),
                    f.share(f.failed()),
                    f.share(f.slow()),
                    f.p50Ms(),
                    f.p99Ms(),
                    f.maxMs(),
                    r.timeToFastSeconds()
                            .map(s -> String.format(Locale.ROOT, "%.2f s", s))
                            .orElse("never"),
                    r.recovery().failed(),
                    secs(r.firstBackendAnswerAfterRestoreSeconds()),
                    secs(r.lastFallbackAfterRestoreSeconds()));
        }
        out.println();
        out.println("events (s since start; the sampler polls every 20 ms):");
        for (Event e : events) {
            out.printf(Locale.ROOT, "  %7.2f  %s%n", e.seconds(), e.what());
        }
        out.println();
        out.println("timeline per second (requests started in that second: fast / fallback / failed / >=1 s):");
        long last = end / TimeUnit.SECONDS.toNanos(1);
        for (long sec = 0; sec <= last; sec++) {
            long from = sec * 1_000_000_000L;
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT,
                    "  %3d s %-8s",
                    sec,
                    from + 1_000_000_000L <= marks[0] ? "steady" : from < marks[1] ? "FAULT" : "restored"));
            for (String route : List.of(WITH, WITHOUT)) {
                RouteReport.Window w = RouteReport.window(
                        RouteReport.between(
                                samples.stream()
                                        .filter(s -> s.route().equals(route))
                                        .toList(),
                                from,
                                from + 1_000_000_000L),
                        fastNanos);
                line.append(String.format(
                        Locale.ROOT,
                        "  %-6s %3d/%3d/%3d/%3d",
                        route,
                        w.fast(),
                        w.fromFallback(),
                        w.failed(),
                        w.slow()));
            }
            out.println(line);
        }
        if (o.out().isPresent()) {
            StringBuilder json = new StringBuilder();
            for (Sample s : samples) {
                json.append(String.format(
                        Locale.ROOT,
                        "{\"scenario\":\"%s\",\"route\":\"%s\",\"start_s\":%.6f,\"latency_ms\":%.3f,\"status\":%d,"
                                + "\"fallback\":\"%s\",\"fault_s\":%.6f,\"restore_s\":%.6f}%n",
                        scenario,
                        s.route(),
                        s.startNanos() / 1e9,
                        s.latencyNanos() / 1e6,
                        s.status(),
                        s.fallback(),
                        marks[0] / 1e9,
                        marks[1] / 1e9));
            }
            Files.writeString(
                    o.out().get(), json, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static String secs(Optional<Double> s) {
        return s.map(v -> String.format(Locale.ROOT, "+%.2f s", v)).orElse("-");
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private static void deleteTempDir(Path dir) {
        try (var files = Files.list(dir)) {
            files.forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir; nothing depends on its removal
        }
        dir.toFile().delete();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String escape(String json) {
        return json.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
