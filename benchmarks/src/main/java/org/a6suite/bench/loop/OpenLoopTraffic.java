package org.a6suite.bench.loop;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Open-loop traffic: one GET every {@code 1/rate} seconds whatever the answers do (a slow node does not slow the
 * sender down, so there is no coordinated omission), each request's start, latency and outcome kept for windowed
 * histograms afterwards. A request is an error when it fails or answers 5xx.
 */
final class OpenLoopTraffic implements AutoCloseable {

    /** One request: start on the driver's clock (epoch ms), latency µs, error or not. */
    record Sample(long startMs, long latencyMicros, boolean error) {}

    /** p50/p90/p99/p999/max in ms and the error rate of a set of samples. */
    record Summary(long requests, long errors, double p50, double p90, double p99, double p999, double max) {
        double errorRate() {
            return requests == 0 ? 0 : (double) errors / requests;
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final URI gateway;
    private final int rate;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loop-bench-traffic");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();

    OpenLoopTraffic(URI gateway, int rate) {
        if (rate < 1 || rate > 2000) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: 1..2000)");
        }
        this.gateway = gateway;
        this.rate = rate;
    }

    void start() {
        timer.scheduleAtFixedRate(this::sendOne, 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);
    }

    private void sendOne() {
        long n = sequence.incrementAndGet();
        long startMs = System.currentTimeMillis();
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/orders/" + (n % 100)))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        inFlight.incrementAndGet();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            inFlight.decrementAndGet();
            boolean failed = error != null || response.statusCode() >= 500;
            samples.add(new Sample(startMs, Math.max(1, (System.nanoTime() - start) / 1000), failed));
        });
    }

    /** Stops sending and waits (bounded) for the answers still in flight. */
    void stopAndDrain() throws InterruptedException {
        timer.shutdownNow();
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(2);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Samples whose request started in [fromMs, toMs). */
    Summary summary(long fromMs, long toMs) {
        Histogram h = new Histogram(60_000_000L, 3);
        long requests = 0, errors = 0;
        for (Sample s : samples) {
            if (s.startMs() >= fromMs && s.startMs() < toMs) {
                h.recordValue(Math.min(s.latencyMicros(), 60_000_000L));
                requests++;
                if (s.error()) {
                    errors++;
                }
            }
        }
        return new Summary(
                requests,
                errors,
                ms(h, 50),
                ms(h, 90),
                ms(h, 99),
                ms(h, 99.9),
                h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0);
    }

    List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        http.close();
    }
}
