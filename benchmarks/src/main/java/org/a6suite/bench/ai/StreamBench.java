package org.a6suite.bench.ai;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.testing.ai.AiProviderServer;

/**
 * Issue 10 item 7: ai-gateway streaming through the runner's HTTP lane, side by side with calling the provider
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
    private static final int READ_TIMEOUT_MS = 120_000;

    private record Options(int rounds, Duration seconds, Duration warmup, List<Integer> streams, int firstTokenMs,
                           int tokens, int gapMs, int cpuStreams, int cpuTokens, List<Integer> heapStreams,
                           Duration wholeSeconds, List<Integer> wholeClients, Duration jitWarmup, Optional<Path> out) {
    }

    /** TTFT of one point (one path, one concurrency, one round). */
    private record TtftPoint(int round, String path, int streams, Histogram ttft, long calls, long errors,
                             String load) {
        double ms(double pct) {
            return ttft.getTotalCount() == 0 ? Double.NaN : ttft.getValueAtPercentile(pct) / 1e6;
        }
    }

    private record Target(String host, int port, byte[] request) {
    }

    private StreamBench() {
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        PrintStream log = System.err;
        List<AiProviderServer> providers = new ArrayList<>();
        AiProviderServer drip = track(providers, AiProviderServer.start()
                .drip(Duration.ofMillis(o.firstTokenMs()), o.tokens(), Duration.ofMillis(o.gapMs())));
        AiProviderServer fast = track(providers, AiProviderServer.start()
                .drip(Duration.ZERO, o.cpuTokens(), Duration.ZERO));
        AiProviderServer whole = track(providers, AiProviderServer.start().reply("Hello, benchmark."));
        List<AiProviderServer> slow = new ArrayList<>();
        for (int i = 0; i < HEAP_ORIGINS; i++) {
            // Long-lived streams: a first token soon, then one token a second for longer than the measurement.
            slow.add(track(providers, AiProviderServer.start()
                    .drip(Duration.ofMillis(50), 100_000, Duration.ofSeconds(1))));
        }
        Path dir = Files.createTempDirectory("a6-stream-bench");
        Map<String, String> env = Map.of("BENCH_KEY", KEY);
        RunnerServer runner = RunnerServer.start(RunnerConfig.builder(dir.resolve("runner.sock"))
                        .laneAddress(new InetSocketAddress("127.0.0.1", 0)).build(),
                List.of(new AiGatewayPlugin()), RunnerOptions.defaults().withEnvironment(env::get));
        InetSocketAddress lane = runner.laneAddress().orElseThrow();
        String laneNode = lane.getHostString() + ":" + lane.getPort();
        ApisixEmulator.Builder eb = ApisixEmulator.builder().runnerSocket(runner.socketPath())
                .route(route("ttft", "/ttft/*", "lane", drip, laneNode))
                .route(route("cpu", "/cpu/*", "lane", fast, laneNode))
                .route(route("whole-lane", "/wl/*", "lane", whole, laneNode))
                .route(route("whole-invoke", "/wi/*", "invoke", whole, "127.0.0.1:1"));
        for (int i = 0; i < slow.size(); i++) {
            eb.route(route("heap" + i, "/heap" + i + "/*", "lane", slow.get(i), laneNode));
        }
        try (runner; ApisixEmulator emulator = eb.build().start()) {
            int ep = emulator.port();
            Map<String, Target> ttft = new LinkedHashMap<>();
            ttft.put("direct", new Target("127.0.0.1", drip.port(), StreamingCall.request("127.0.0.1", drip.port(),
                    "/v1/chat/completions", STREAM_CHAT)));
            ttft.put("lane", new Target("127.0.0.1", ep, StreamingCall.request("127.0.0.1", ep,
                    "/ttft/v1/chat/completions", STREAM_CHAT)));
            emit(o, String.format(Locale.ROOT, "{\"machine\":\"nproc %d, %s, %s\",\"loadavg\":\"%s\"}",
                    Runtime.getRuntime().availableProcessors(), cpuModel(), Runtime.version(), loadAverage()));

            // JIT warm-up of every path before anything is recorded.
            long warmEnd = System.nanoTime() + o.jitWarmup().toNanos();
            while (System.nanoTime() < warmEnd) {
                for (Target t : ttft.values()) {
                    streams(t, 16, Duration.ZERO, Duration.ofSeconds(1));
                }
                streams(new Target("127.0.0.1", ep, StreamingCall.request("127.0.0.1", ep, "/cpu/v1/chat/completions",
                        STREAM_CHAT)), 2, Duration.ZERO, Duration.ofMillis(500));
                for (String p : List.of("/wl/", "/wi/")) {
                    ClosedLoop.run("127.0.0.1", ep, BlockingHttpConnection.postRequest("127.0.0.1", ep,
                            p + "v1/chat/completions", WHOLE_CHAT), 8, Duration.ZERO, Duration.ofMillis(500), false,
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
                        emit(o, String.format(Locale.ROOT, "{\"kind\":\"ttft\",\"round\":%d,\"path\":\"%s\","
                                        + "\"streams\":%d,\"calls\":%d,\"errors\":%d,\"p50_ms\":%.2f,\"p90_ms\":%.2f,"
                                        + "\"p99_ms\":%.2f,\"max_ms\":%.2f,\"loadavg\":\"%s\"}", round, e.getKey(),
                                n, p.calls(), p.errors(), p.ms(50), p.ms(90), p.ms(99), p.ms(100), p.load()));
                    }
                }
            }

            // 2. CPU per chunk at a high chunk rate.
            List<String> cpuRows = new ArrayList<>();
            Map<String, Target> cpu = new LinkedHashMap<>();
            cpu.put("direct", new Target("127.0.0.1", fast.port(), StreamingCall.request("127.0.0.1", fast.port(),
                    "/v1/chat/completions", STREAM_CHAT)));
            cpu.put("lane", new Target("127.0.0.1", ep, StreamingCall.request("127.0.0.1", ep,
                    "/cpu/v1/chat/completions", STREAM_CHAT)));
            Map<String, List<double[]>> cpuByPath = new LinkedHashMap<>();
            for (int round = 1; round <= o.rounds(); round++) {
                for (Map.Entry<String, Target> e : cpu.entrySet()) {
                    forget(providers);
                    double[] r = cpuPerChunk(e.getValue(), o.cpuStreams());
                    cpuByPath.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(r);
                    emit(o, String.format(Locale.ROOT, "{\"kind\":\"cpu\",\"round\":%d,\"path\":\"%s\","
                                    + "\"chunks\":%.0f,\"seconds\":%.2f,\"process_us_per_chunk\":%.3f,"
                                    + "\"runner_threads_us_per_chunk\":%.3f,\"errors\":%.0f,\"loadavg\":\"%s\"}",
                            round, e.getKey(), r[0], r[1], r[2], r[3], r[4], loadAverage()));
                }
            }

            // 3. Heap per open stream.
            List<String> heapRows = new ArrayList<>();
            for (int k : o.heapStreams()) {
                for (String path : List.of("direct", "lane")) {
                    List<Target> targets = new ArrayList<>();
                    for (int i = 0; i < slow.size(); i++) {
                        int port = path.equals("direct") ? slow.get(i).port() : ep;
                        String uri = path.equals("direct") ? "/v1/chat/completions" : "/heap" + i
                                + "/v1/chat/completions";
                        targets.add(new Target("127.0.0.1", port, StreamingCall.request("127.0.0.1", port, uri,
                                STREAM_CHAT)));
                    }
                    forget(providers);
                    Map<String, String[]> hist = new HashMap<>();
                    double[] h = heapPerStream(targets, k, log, hist);
                    saveHistograms(o, path, k, hist.values().iterator().next());
                    heapRows.add(path + "|" + k + "|" + String.format(Locale.ROOT, "%.0f|%.0f|%.1f|%.0f|%s",
                            h[0], h[1], h[2], h[3], loadAverage()));
                    emit(o, String.format(Locale.ROOT, "{\"kind\":\"heap\",\"path\":\"%s\",\"streams\":%d,"
                                    + "\"baseline_bytes\":%.0f,\"open_bytes\":%.0f,\"kib_per_stream\":%.1f,"
                                    + "\"opened\":%.0f,\"loadavg\":\"%s\"}", path, k, h[0], h[1], h[2], h[3],
                            loadAverage()));
                }
            }

            // 4. Non-streaming: direct vs invoke vs lane.
            Map<String, byte[]> wholeReq = new LinkedHashMap<>();
            Map<String, Integer> wholePort = Map.of("direct", whole.port(), "invoke", ep, "lane", ep);
            wholeReq.put("direct", BlockingHttpConnection.postRequest("127.0.0.1", whole.port(),
                    "/v1/chat/completions", WHOLE_CHAT));
            wholeReq.put("invoke", BlockingHttpConnection.postRequest("127.0.0.1", ep, "/wi/v1/chat/completions",
                    WHOLE_CHAT));
            wholeReq.put("lane", BlockingHttpConnection.postRequest("127.0.0.1", ep, "/wl/v1/chat/completions",
                    WHOLE_CHAT));
            List<Object[]> wholePoints = new ArrayList<>();
            for (int round = 1; round <= o.rounds(); round++) {
                for (int c : o.wholeClients()) {
                    for (Map.Entry<String, byte[]> e : wholeReq.entrySet()) {
                        forget(providers);
                        ClosedLoop.Result r = ClosedLoop.run("127.0.0.1", wholePort.get(e.getKey()), e.getValue(), c,
                                o.warmup(), o.wholeSeconds(), false, x -> x.status() == 200);
                        String load = loadAverage();
                        wholePoints.add(new Object[] {e.getKey(), c, r, load});
                        emit(o, String.format(Locale.ROOT, "{\"kind\":\"whole\",\"round\":%d,\"path\":\"%s\","
                                        + "\"clients\":%d,\"requests\":%d,\"errors\":%d,\"rps\":%.1f,\"p50_us\":%.1f,"
                                        + "\"p99_us\":%.1f,\"cpu_us_per_req\":%.1f,\"loadavg\":\"%s\"}", round,
                                e.getKey(), c, r.requests(), r.errors(), r.throughput(), r.micros(50), r.micros(99),
                                r.cpuMicrosPerRequest(), load));
                    }
                }
            }
            log.println("stream-bench: done, load " + loadAverage());
            System.out.println();
            System.out.println(ttftTable(ttftPoints, o));
            System.out.println(cpuTable(cpuByPath, o));
            System.out.println(heapTable(heapRows));
            System.out.println(wholeTable(wholePoints, o));
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

    private static EmulatorRoute route(String id, String uri, String mode, AiProviderServer provider,
                                       String upstream) {
        String conf = """
                {"mode": "%s",
                 "targets": [{"id": "main", "type": "openai", "endpoint": "%s/v1", "model": "bench-model",
                   "credentials": {"env": "BENCH_KEY"},
                   "price": {"input_per_million": 0.15, "output_per_million": 0.6}}],
                 "breaker": {"enabled": false},
                 "timeouts": {"total_ms": %d, "attempt_floor_ms": 10000%s}}""".formatted(mode, provider.baseUrl(),
                mode.equals("lane") ? 600_000 : 55_000, mode.equals("lane")
                        ? ", \"first_token\": {\"warmup_ms\": 10000, \"floor_ms\": 10000},"
                        + " \"token_gap\": {\"warmup_ms\": 10000, \"floor_ms\": 10000}" : "");
        String quoted = "\"" + conf.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
        String json = """
                {"uri": "%s", "methods": ["POST"],
                 "plugins": {"ext-plugin-pre-req": {"conf": [{"name": "%s", "value": %s}]}},
                 "upstream": {"type": "roundrobin", "nodes": {"%s": 1}},
                 "timeout": {"connect": 6, "send": 6, "read": 150}}""".formatted(uri, AiGatewayPlugin.NAME, quoted,
                upstream);
        return EmulatorRoute.fromJson(id, json);
    }

    /** Merged TTFT of closed-loop streaming clients. */
    private record StreamsResult(Histogram ttft, long calls, long errors, long chunks) {
        TtftPoint asPoint(int round, String path, int n, String load) {
            return new TtftPoint(round, path, n, ttft, calls, errors, load);
        }
    }

    /**
     * {@code n} clients, each streaming one call after another on a fresh connection; a call counts when it is a 200
     * with at least one token and a clean end, and its TTFT is recorded if it started after the warm-up.
     */
    private static StreamsResult streams(Target t, int n, Duration warmup, Duration measure)
            throws InterruptedException {
        long from = System.nanoTime() + warmup.toNanos();
        long end = from + measure.toNanos();
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong chunks = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofPlatform().name("bench-stream-client-" + i).start(() -> {
                Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
                while (System.nanoTime() < end) {
                    try (StreamingCall c = StreamingCall.open(t.host(), t.port(), READ_TIMEOUT_MS)) {
                        StreamingCall.Outcome r = c.exchange(t.request(), () -> { });
                        if (r.sentNanos() < from) {
                            continue;
                        }
                        if (r.status() == 200 && r.tokens() > 0 && r.complete()) {
                            h.recordValue(r.ttftNanos());
                            calls.incrementAndGet();
                            chunks.addAndGet(r.tokens());
                        } else {
                            errors.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
                synchronized (all) {
                    all.add(h);
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        return new StreamsResult(all, calls.get(), errors.get(), chunks.get());
    }

    /**
     * {chunks, seconds, process CPU µs per chunk, runner-thread CPU µs per chunk, errors} for {@code n} concurrent
     * streams of the fast provider, one stream each. Runner threads: platform threads named {@code a6-*} (I/O loops of
     * the A6 socket and the lane, the scheduler, the outbound HTTP client's loops); their CPU from
     * {@link ThreadMXBean#getThreadCpuTime}. Virtual threads (the runner's blocking pool) are not seen by it: the lane
     * stream path does not use them.
     */
    private static double[] cpuPerChunk(Target t, int n) throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> before = runnerThreadCpu(mx);
        long process0 = processCpuNanos();
        long t0 = System.nanoTime();
        AtomicLong chunks = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofPlatform().name("bench-cpu-client-" + i).start(() -> {
                try (StreamingCall c = StreamingCall.open(t.host(), t.port(), READ_TIMEOUT_MS)) {
                    StreamingCall.Outcome r = c.exchange(t.request(), () -> { });
                    chunks.addAndGet(r.tokens());
                    if (r.status() != 200 || !r.complete()) {
                        errors.incrementAndGet();
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long process = processCpuNanos() - process0;
        Map<Long, Long> after = runnerThreadCpu(mx);
        long runner = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            runner += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        double c = Math.max(1, chunks.get());
        return new double[] {chunks.get(), seconds, process / 1e3 / c, runner / 1e3 / c, errors.get()};
    }

    private static Map<Long, Long> runnerThreadCpu(ThreadMXBean mx) {
        Map<Long, Long> cpu = new HashMap<>();
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            if (th.getName().startsWith("a6-") && !th.isVirtual()) {
                long ns = mx.getThreadCpuTime(th.threadId());
                if (ns >= 0) {
                    cpu.put(th.threadId(), ns);
                }
            }
        }
        return cpu;
    }

    /**
     * {baseline heap, heap with k streams open, KiB per stream, streams opened}: k client threads (128 KiB stacks,
     * off-heap) each open one slow-drip stream spread over the origins and park after its first token; the heap is
     * measured after full GCs before and while all are open, then the sockets are closed.
     */
    private static double[] heapPerStream(List<Target> targets, int k, PrintStream log,
            Map<String, String[]> histograms) throws InterruptedException {
        prime(targets);
        long baseline = liveHeapBytes();
        String baselineHistogram = lastHistogram;
        CountDownLatch first = new CountDownLatch(k);
        List<StreamingCall> open = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Target t = targets.get(i % targets.size());
            threads.add(Thread.ofPlatform().name("bench-heap-client-" + i).stackSize(128 * 1024).start(() -> {
                StreamingCall c = null;
                try {
                    c = StreamingCall.open(t.host(), t.port(), READ_TIMEOUT_MS);
                    synchronized (open) {
                        open.add(c);
                    }
                    c.exchange(t.request(), first::countDown);
                } catch (IOException e) {
                    // closed by the measurement below, or a failure (then the first-token latch stays short)
                } finally {
                    if (c != null) {
                        c.close();
                    }
                }
            }));
        }
        boolean all = first.await(60, TimeUnit.SECONDS);
        long opened = k - first.getCount();
        if (!all) {
            log.println("stream-bench: only " + opened + " of " + k + " streams reached their first token");
        }
        Thread.sleep(2_000);
        long used = liveHeapBytes();
        histograms.put(targets.get(0).port() + "-" + k, new String[] {baselineHistogram, lastHistogram});
        // Hold the streams open longer for a class histogram from outside (jcmd <pid> GC.class_histogram).
        Thread.sleep(Long.getLong("stream.bench.heapHoldMs", 0));
        synchronized (open) {
            open.forEach(StreamingCall::close);
        }
        for (Thread th : threads) {
            th.join(10_000);
        }
        Thread.sleep(1_000);
        return new double[] {baseline, used, (used - baseline) / 1024.0 / Math.max(1, opened), opened};
    }

    /**
     * One stream per target up to its first token, before the baseline: the first call of a route creates per-route
     * and per-target state (the target's latency windows are HdrHistograms, ~0.5 MiB per target), which would
     * otherwise be counted as per-stream heap.
     */
    private static void prime(List<Target> targets) {
        for (Target t : targets) {
            try (StreamingCall c = StreamingCall.open(t.host(), t.port(), READ_TIMEOUT_MS)) {
                c.exchange(t.request(), () -> {
                    throw new FirstTokenSeen();
                });
            } catch (FirstTokenSeen | IOException e) {
                // the stream is cut at its first token on purpose
            }
        }
    }

    /** Thrown from the first-token callback to stop reading a priming stream. */
    private static final class FirstTokenSeen extends RuntimeException {
        FirstTokenSeen() {
            super(null, null, false, false);
        }
    }

    /**
     * Live heap bytes: the total of a class histogram ({@code GC.class_histogram}, which runs a full GC first and
     * counts only reachable objects). "Used heap after System.gc()" proved unreliable here (it moved by 100 MiB between
     * identical runs); the histogram total does not depend on what the collector left in place. The histogram itself
     * is kept in {@link #lastHistogram} so the caller can save where the bytes went.
     */
    private static long liveHeapBytes() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String text = String.valueOf(out);
            lastHistogram = text;
            String[] lines = text.strip().split("\n");
            String[] total = lines[lines.length - 1].trim().split("\\s+");
            return Long.parseLong(total[total.length - 1]);
        } catch (javax.management.JMException | RuntimeException e) {
            throw new IllegalStateException("class histogram: " + e, e);
        }
    }

    private static volatile String lastHistogram = "";

    /** Writes the before/open class histograms next to the raw results, {@code <out>.heap-<path>-<k>.txt}. */
    private static void saveHistograms(Options o, String path, int k, String[] before) throws IOException {
        if (o.out().isPresent()) {
            Path file = Path.of(o.out().get() + ".heap-" + path + "-" + k + ".txt");
            Files.writeString(file, "# before\n" + before[0] + "\n# with the streams open\n" + before[1]);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void emit(Options o, String line) throws IOException {
        System.out.println(line);
        if (o.out().isPresent()) {
            Files.writeString(o.out().get(), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double ttftMedian(List<TtftPoint> points, String path, int n, ToDoubleFunction<TtftPoint> f) {
        return median(points.stream().filter(p -> p.path().equals(path) && p.streams() == n).mapToDouble(f)
                .toArray());
    }

    private static String ttftTable(List<TtftPoint> points, Options o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "TTFT (send → first content token read), medians of %d rounds, %d s "
                        + "measured after %d s warm-up per point; provider: first token after %d ms, then %d tokens "
                        + "%d ms apart; ms.%n%n", o.rounds(), o.seconds().toSeconds(), o.warmup().toSeconds(),
                o.firstTokenMs(), o.tokens(), o.gapMs()));
        sb.append("| streams | direct p50 | direct p90 | direct p99 | lane p50 | lane p90 | lane p99 | "
                + "**added p50** (lane−direct) | **added p99** (lane−direct) | lane÷direct p50 | streams measured "
                + "direct / lane | errors | load 1m |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
        for (int n : o.streams()) {
            double[] d = {ttftMedian(points, "direct", n, p -> p.ms(50)), ttftMedian(points, "direct", n,
                    p -> p.ms(90)), ttftMedian(points, "direct", n, p -> p.ms(99))};
            double[] l = {ttftMedian(points, "lane", n, p -> p.ms(50)), ttftMedian(points, "lane", n,
                    p -> p.ms(90)), ttftMedian(points, "lane", n, p -> p.ms(99))};
            long callsD = points.stream().filter(p -> p.path().equals("direct") && p.streams() == n)
                    .mapToLong(TtftPoint::calls).sum();
            long callsL = points.stream().filter(p -> p.path().equals("lane") && p.streams() == n)
                    .mapToLong(TtftPoint::calls).sum();
            long errors = points.stream().filter(p -> p.streams() == n).mapToLong(TtftPoint::errors).sum();
            List<String> loads = points.stream().filter(p -> p.streams() == n).map(TtftPoint::load).toList();
            sb.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | **%.1f** | "
                            + "**%.1f** | %.3f | %d / %d | %d | %s |%n", n, d[0], d[1], d[2], l[0], l[1], l[2],
                    l[0] - d[0], l[2] - d[2], l[0] / d[0], callsD, callsL, errors, range(loads)));
        }
        return sb.toString();
    }

    private static String cpuTable(Map<String, List<double[]>> byPath, Options o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nCPU per streamed chunk: %d concurrent streams of %d chunks (provider "
                + "gap 0), medians of %d rounds; µs.%n%n", o.cpuStreams(), o.cpuTokens(), o.rounds()));
        sb.append("| path | chunks/round | chunks/s | process CPU µs/chunk | runner threads (a6-*) CPU µs/chunk | "
                + "errors |\n|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<double[]>> e : byPath.entrySet()) {
            List<double[]> rs = e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %.2f | %.0f |%n", e.getKey(),
                    median(rs.stream().mapToDouble(r -> r[0]).toArray()),
                    median(rs.stream().mapToDouble(r -> r[0] / r[1]).toArray()),
                    median(rs.stream().mapToDouble(r -> r[2]).toArray()),
                    median(rs.stream().mapToDouble(r -> r[3]).toArray()),
                    rs.stream().mapToDouble(r -> r[4]).sum()));
        }
        return sb.toString();
    }

    private static String heapTable(List<String> rows) {
        StringBuilder sb = new StringBuilder("\nHeap per open stream (live heap from a class histogram with the streams open − "
                + "before; one round).\n\n| path | streams asked | streams open | baseline MiB | open MiB | "
                + "KiB per stream | load 1m |\n|---|---:|---:|---:|---:|---:|---|\n");
        for (String r : rows) {
            String[] f = r.split("\\|");
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.1f | %s | %s |%n", f[0], f[1], f[5],
                    Double.parseDouble(f[2]) / 1048576, Double.parseDouble(f[3]) / 1048576, f[4], f[6]));
        }
        return sb.toString();
    }

    private static String wholeTable(List<Object[]> points, Options o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nNon-streaming chat call, closed loop, medians of %d rounds, %d s "
                        + "measured after %d s warm-up; ms.%n%n", o.rounds(), o.wholeSeconds().toSeconds(),
                o.warmup().toSeconds()));
        sb.append("| clients | direct p50 | direct p99 | invoke p50 | invoke p99 | lane p50 | lane p99 | "
                + "invoke−direct p50 / p99 | lane−direct p50 / p99 | lane÷invoke p50 / p99 | rps direct / invoke / "
                + "lane | CPU µs/req direct / invoke / lane | errors | load 1m |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|---:|---|\n");
        for (int c : o.wholeClients()) {
            Map<String, double[]> m = new LinkedHashMap<>();
            long errors = 0;
            List<String> loads = new ArrayList<>();
            for (String path : List.of("direct", "invoke", "lane")) {
                List<ClosedLoop.Result> rs = points.stream().filter(p -> p[0].equals(path) && (int) p[1] == c)
                        .map(p -> (ClosedLoop.Result) p[2]).toList();
                m.put(path, new double[] {median(rs.stream().mapToDouble(r -> r.micros(50) / 1000).toArray()),
                        median(rs.stream().mapToDouble(r -> r.micros(99) / 1000).toArray()),
                        median(rs.stream().mapToDouble(ClosedLoop.Result::throughput).toArray()),
                        median(rs.stream().mapToDouble(ClosedLoop.Result::cpuMicrosPerRequest).toArray())});
                errors += rs.stream().mapToLong(ClosedLoop.Result::errors).sum();
                points.stream().filter(p -> p[0].equals(path) && (int) p[1] == c).forEach(p -> loads.add(
                        (String) p[3]));
            }
            double[] d = m.get("direct");
            double[] i = m.get("invoke");
            double[] l = m.get("lane");
            sb.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f / %.3f | "
                            + "%.3f / %.3f | %.2f / %.2f | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %d | %s |%n", c,
                    d[0], d[1], i[0], i[1], l[0], l[1], i[0] - d[0], i[1] - d[1], l[0] - d[0], l[1] - d[1],
                    l[0] / i[0], l[1] / i[1], d[2], i[2], l[2], d[3], i[3], l[3], errors, range(loads)));
        }
        return sb.toString();
    }

    private static String range(List<String> loads) {
        double[] v = loads.stream().filter(l -> !l.equals("n/a")).mapToDouble(Double::parseDouble).sorted()
                .toArray();
        return v.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f–%.1f", v[0], v[v.length - 1]);
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
                Integer.parseInt(orDefault(a, "rounds", "3")),
                Duration.ofSeconds(Long.parseLong(orDefault(a, "seconds", "8"))),
                Duration.ofSeconds(Long.parseLong(orDefault(a, "warmup", "2"))),
                ints(orDefault(a, "streams", "1 16 64")),
                Integer.parseInt(orDefault(a, "first-token-ms", "200")),
                Integer.parseInt(orDefault(a, "tokens", "20")),
                Integer.parseInt(orDefault(a, "gap-ms", "20")),
                Integer.parseInt(orDefault(a, "cpu-streams", "8")),
                Integer.parseInt(orDefault(a, "cpu-tokens", "20000")),
                ints(orDefault(a, "heap-streams", "200 1000")),
                Duration.ofSeconds(Long.parseLong(orDefault(a, "whole-seconds", "5"))),
                ints(orDefault(a, "whole-clients", "1 16 64")),
                Duration.ofSeconds(Long.parseLong(orDefault(a, "jit-warmup", "10"))),
                Optional.ofNullable(a.remove("out")).map(Path::of));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + a.keySet());
        }
        for (int k : o.heapStreams()) {
            if (k > PER_ORIGIN * HEAP_ORIGINS) {
                throw new IllegalArgumentException("heap-streams: " + k + " (expected: at most "
                        + PER_ORIGIN * HEAP_ORIGINS + ", the outbound client's " + PER_ORIGIN
                        + " connections per origin × " + HEAP_ORIGINS + " provider origins)");
            }
        }
        return o;
    }

    private static String orDefault(Map<String, String> a, String name, String value) {
        String v = a.remove(name);
        return v == null ? value : v;
    }

    private static List<Integer> ints(String list) {
        return Arrays.stream(list.trim().split("[ ,]+")).map(Integer::parseInt).toList();
    }
}
