package org.a6suite.bench.ai;

import static java.util.Objects.requireNonNull;
import static org.a6suite.bench.HostFacts.processCpuNanos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load: {@code clients} threads, each with its own keep-alive connection, sending the next request as
 * soon as the previous answer is read. Latency is measured per request (send to last body byte) with HdrHistogram,
 * only for requests started after the warm-up. Closed loop means a slower path also gets fewer requests, so
 * throughput is reported next to latency.
 */
final class ClosedLoop {

    /** One measured point. {@code errors} counts I/O failures and answers the check rejected. */
    record Result(
            Histogram histogram,
            long requests,
            long errors,
            double seconds,
            long cpuNanos,
            Map<Integer, Long> errorStatuses) {

        /** Process CPU (all threads: client, emulator, runner, plugin, provider) per measured request, in µs. */
        double cpuMicrosPerRequest() {
            return requests == 0 ? Double.NaN : cpuNanos / 1_000.0 / requests;
        }

        double throughput() {
            return requests / seconds;
        }

        double micros(double percentile) {
            return histogram.getValueAtPercentile(percentile) / 1_000.0;
        }
    }

    private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private ClosedLoop() {}

    /**
     * Runs the load and returns the merged histogram of the measured phase.
     *
     * @param check which answers count as successes (the rest are errors and are not recorded)
     */
    static Result run(
            String host,
            int port,
            byte[] request,
            int clients,
            Duration warmup,
            Duration measure,
            boolean keepHeaders,
            Predicate<BlockingHttpConnection.Response> check)
            throws InterruptedException {
        requireNonNull(request, "request");
        long startNanos = System.nanoTime();
        long measureFrom = startNanos + warmup.toNanos();
        long endAt = measureFrom + measure.toNanos();
        AtomicLong errors = new AtomicLong();
        // Status of rejected answers (-1: I/O failure), so an error burst can be told apart (503 breaker, 502...).
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Histogram h = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
            histograms.add(h);
            Thread t = new Thread(
                    () -> clientLoop(host, port, request, measureFrom, endAt, keepHeaders, check, h, errors, statuses),
                    "bench-client-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        long untilMeasure = measureFrom - System.nanoTime();
        if (untilMeasure > 0) {
            TimeUnit.NANOSECONDS.sleep(untilMeasure);
        }
        long cpuFrom = processCpuNanos();
        for (Thread t : threads) {
            // A client finishes its last request at most one read timeout (30 s) after the end.
            t.join(Duration.ofNanos(endAt - System.nanoTime()).plusSeconds(35).toMillis());
        }
        long cpu = processCpuNanos() - cpuFrom;
        Histogram merged = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
        histograms.forEach(merged::add);
        double seconds = Math.max(1e-9, (System.nanoTime() - measureFrom) / 1e9);
        return new Result(
                merged,
                merged.getTotalCount(),
                errors.get(),
                Math.min(seconds, measure.toNanos() / 1e9),
                cpu,
                new TreeMap<>(statuses.entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(
                                Map.Entry::getKey, e -> e.getValue().get()))));
    }

    /**
     * CPU this JVM burns with no load at all (JIT compiling, GC, timers), in cores, over {@code period}: the floor
     * under the per-request CPU figures, which matters most at 1 client where requests are few.
     */
    static double idleCpuCores(Duration period) throws InterruptedException {
        long cpu = processCpuNanos();
        long start = System.nanoTime();
        Thread.sleep(period);
        return (processCpuNanos() - cpu) / (double) (System.nanoTime() - start);
    }

    private static void clientLoop(
            String host,
            int port,
            byte[] request,
            long measureFrom,
            long endAt,
            boolean keepHeaders,
            Predicate<BlockingHttpConnection.Response> check,
            Histogram histogram,
            AtomicLong errors,
            Map<Integer, AtomicLong> statuses) {
        try (BlockingHttpConnection connection = new BlockingHttpConnection(host, port)) {
            long now;
            while ((now = System.nanoTime()) < endAt) {
                boolean measured = now >= measureFrom;
                try {
                    BlockingHttpConnection.Response response = connection.send(request, keepHeaders);
                    long took = System.nanoTime() - now;
                    if (!check.test(response)) {
                        if (measured) {
                            errors.incrementAndGet();
                            statuses.computeIfAbsent(response.status(), k -> new AtomicLong())
                                    .incrementAndGet();
                        }
                    } else if (measured) {
                        histogram.recordValue(Math.min(took, HIGHEST_TRACKABLE_NANOS));
                    }
                } catch (Exception e) {
                    if (measured) {
                        errors.incrementAndGet();
                        statuses.computeIfAbsent(-1, k -> new AtomicLong()).incrementAndGet();
                    }
                    // Back off a little so a dead target does not turn the loop into a busy spin.
                    Thread.sleep(10);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
