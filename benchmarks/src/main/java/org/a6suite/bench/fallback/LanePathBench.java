package org.a6suite.bench.fallback;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundClientConfig;
import org.a6suite.http.OutboundRequest;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.testing.backend.EchoBackend;

/**
 * The plugin's own cost on the lane path, without the hops around it: the lane's proxy call
 * ({@code AdaptiveFallbackPlugin.onLane}: breaker, budget, balancer, outbound request, held-back relay, cache store,
 * answer) against the same outbound client sending the same GET to the same loopback EchoBackend with no plugin.
 * Both run closed-loop with {@code --inflight} requests in flight (no client threads: each answer sends the next),
 * in alternating rounds, and report per request the process CPU time and the bytes allocated by all threads
 * ({@code ThreadMXBean.getTotalThreadAllocatedBytes}). Allocation per request hardly depends on how busy the machine
 * is, so it compares builds on a shared machine where latency cannot. The attempt budget is pinned at 5 s so that an
 * overloaded machine does not open the circuit (answers from the cache would measure the fallback, not the proxy);
 * answers the plugin made itself are counted apart and reported.
 *
 * <pre>{@code java -cp ... org.a6suite.bench.fallback.LanePathBench [--inflight 16] [--seconds 5] [--rounds 3]}</pre>
 */
public final class LanePathBench {

    /** The status a drained answer reports when the plugin answered it itself. */
    private static final int FALLBACK = -1;

    private LanePathBench() {}

    private record Round(String mode, long requests, long fallbacks, double cpuMicros, double allocKb) {}

    public static void main(String[] args) throws Exception {
        int inflight = 16;
        int seconds = 5;
        int rounds = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--inflight" -> inflight = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException(args[i] + " (expected: --inflight, --seconds, --rounds)");
            }
        }
        try (EchoBackend backend = EchoBackend.start();
                OutboundClient client = OutboundClient.of(OutboundClientConfig.builder()
                        .maxConnectionsPerOrigin(1024)
                        .build())) {
            backend.recordRequests(false);
            AdaptiveFallbackPlugin plugin = new AdaptiveFallbackPlugin();
            FallbackConfig config = plugin.parseConfig(("{\"lane\":{\"upstream\":{\"nodes\":{\"%s\":1},"
                            + "\"timeout\":{\"connect\":1,\"send\":5,\"read\":5}},"
                            + "\"attempt_timeout\":{\"floor\":5,\"warmup\":5}},"
                            + "\"cache\":{\"cache_set_cookie\":true},"
                            + "\"static\":{\"status\":200,\"body\":\"{\\\"items\\\":[]}\"}}")
                    .formatted(backend.hostPort()));
            // What the lane hands the plugin for a GET the emulator proxied (headers as the emulator sends them).
            RequestView request = RequestView.builder(HttpMethod.GET, "/items/1")
                    .headers(Headers.of(
                            "Host",
                            "127.0.0.1:9080",
                            "X-Real-IP",
                            "127.0.0.1",
                            "X-Forwarded-For",
                            "127.0.0.1",
                            "X-Forwarded-Proto",
                            "http",
                            "X-Forwarded-Host",
                            "127.0.0.1",
                            "X-Forwarded-Port",
                            "9080",
                            "User-Agent",
                            "Java-http-client/25",
                            "Accept",
                            "application/json"))
                    .build();
            CallContext context =
                    new CallContext(Optional.of("route#2#ext-plugin-pre-req#1"), 1, CallContext.Phase.LANE);
            URI direct = URI.create("http://" + backend.hostPort() + "/items/1");
            Supplier<CompletableFuture<Integer>> bare = () -> client.send(OutboundRequest.builder("GET", direct)
                            .header("Host", "127.0.0.1:9080")
                            .header("X-Real-IP", "127.0.0.1")
                            .header("X-Forwarded-For", "127.0.0.1")
                            .header("User-Agent", "Java-http-client/25")
                            .header("Accept", "application/json")
                            .build())
                    .thenCompose(r -> r.aggregate(1 << 20).thenApply(b -> r.status()));
            Supplier<CompletableFuture<Integer>> lane = () -> plugin.onLane(request, config, context)
                    .toCompletableFuture()
                    .thenCompose(LanePathBench::drain);
            System.out.printf(
                    Locale.ROOT,
                    "lane-path-bench: nproc %d, in flight %d, %d s per round, load %s%n",
                    Runtime.getRuntime().availableProcessors(),
                    inflight,
                    seconds,
                    load());
            run("bare", bare, inflight, 2); // warm-up, not reported
            run("lane", lane, inflight, 2);
            List<Round> all = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                all.add(run("bare", bare, inflight, seconds));
                all.add(run("lane", lane, inflight, seconds));
            }
            System.out.println(
                    "| round | path | requests | of them fallbacks | CPU µs/request | KB allocated/request |");
            System.out.println("|---:|---|---:|---:|---:|---:|");
            for (int i = 0; i < all.size(); i++) {
                Round x = all.get(i);
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %s | %d | %d | %.1f | %.2f |%n",
                        i / 2 + 1,
                        x.mode,
                        x.requests,
                        x.fallbacks,
                        x.cpuMicros,
                        x.allocKb);
            }
            System.out.printf(
                    Locale.ROOT,
                    "median added by the plugin: CPU %+.1f µs/request, %+.2f KB/request " + "(load after %s)%n",
                    median(all, "lane", Round::cpuMicros) - median(all, "bare", Round::cpuMicros),
                    median(all, "lane", Round::allocKb) - median(all, "bare", Round::allocKb),
                    load());
        }
    }

    private static double median(List<Round> all, String mode, java.util.function.ToDoubleFunction<Round> f) {
        double[] v = all.stream()
                .filter(r -> r.mode.equals(mode))
                .mapToDouble(f)
                .sorted()
                .toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Reads a lane answer to its end; its status. */
    private static CompletableFuture<Integer> drain(LaneResponse response) {
        return switch (response) {
            case LaneResponse.Whole w ->
                CompletableFuture.completedFuture(
                        w.headers().contains(AdaptiveFallbackPlugin.MARK_HEADER) ? FALLBACK : w.status());
            case LaneResponse.Streamed s -> {
                CompletableFuture<Integer> done = new CompletableFuture<>();
                s.body().subscribe(new Flow.Subscriber<>() {
                    @Override
                    public void onSubscribe(Flow.Subscription sub) {
                        sub.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(Body item) {}

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onComplete() {
                        done.complete(s.status());
                    }
                });
                yield done;
            }
        };
    }

    private static Round run(String mode, Supplier<CompletableFuture<Integer>> call, int inflight, int seconds)
            throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong fallbacks = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(inflight);
        long cpu0 = os.getProcessCpuTime();
        long alloc0 = threads.getTotalThreadAllocatedBytes();
        for (int i = 0; i < inflight; i++) {
            loop(call, stop, count, errors, fallbacks, finished);
        }
        Thread.sleep(Duration.ofSeconds(seconds));
        stop.set(true);
        finished.await();
        long cpu = os.getProcessCpuTime() - cpu0;
        long alloc = threads.getTotalThreadAllocatedBytes() - alloc0;
        long n = count.get();
        if (errors.get() > 0) {
            System.out.printf(Locale.ROOT, "lane-path-bench: %s: %d errors%n", mode, errors.get());
        }
        return new Round(mode, n, fallbacks.get(), n == 0 ? 0 : cpu / 1e3 / n, n == 0 ? 0 : alloc / 1024.0 / n);
    }

    private static void loop(
            Supplier<CompletableFuture<Integer>> call,
            AtomicBoolean stop,
            AtomicLong count,
            AtomicLong errors,
            AtomicLong fallbacks,
            CountDownLatch finished) {
        if (stop.get()) {
            finished.countDown();
            return;
        }
        call.get().whenComplete((status, error) -> {
            if (error == null && status == FALLBACK) {
                fallbacks.incrementAndGet();
            } else if (error != null || status != 200) {
                errors.incrementAndGet();
            }
            count.incrementAndGet();
            // off the event loop: a long chain of completions must not grow the stack
            CompletableFuture.runAsync(() -> loop(call, stop, count, errors, fallbacks, finished));
        });
    }

    private static String load() throws Exception {
        String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                .split(" ");
        return f[0] + " " + f[1];
    }
}
