package org.a6suite.devstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.a6suite.testing.mcp.RestToolBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEVELOPMENT FIXTURE: steady demo traffic through the gateway so the health reporter and the optimizer have
 * something to act on. It waits until the gateway and the optimizer answer (the stack is up), then sends traffic; from
 * then on, after {@code degradeAfter}, one orders node answers 300 ms slower and fails 5% of requests;
 * every 5 s a line reports what clients saw (requests, errors, p50/p99), so the optimizer's effect is visible.
 */
final class DemoTraffic implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoTraffic.class);
    static final Duration EXTRA_DELAY = Duration.ofMillis(300);
    static final double ERROR_RATE = 0.05;

    private final URI gateway;
    private final int ratePerSecond;
    private final Duration degradeAfter;
    private final DemoNode degraded;
    private final List<URI> readyUrls;
    private final RestToolBackend rest;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "demo-traffic");
        t.setDaemon(true);
        return t;
    });
    private final Recorder latency = new Recorder(3);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();

    DemoTraffic(
            URI gateway,
            int ratePerSecond,
            Duration degradeAfter,
            DemoNode degraded,
            List<URI> readyUrls,
            RestToolBackend rest) {
        if (ratePerSecond < 1 || ratePerSecond > 1000) {
            throw new IllegalArgumentException("--rate: " + ratePerSecond + " (expected: 1..1000)");
        }
        this.gateway = gateway;
        this.ratePerSecond = ratePerSecond;
        this.degradeAfter = degradeAfter;
        this.degraded = degraded;
        this.readyUrls = readyUrls;
        this.rest = rest;
    }

    /** Starts in the background: waits for the stack to be up, then sends traffic and starts the degrade timer. */
    void start() {
        Thread.ofPlatform().daemon().name("demo-traffic-wait").start(() -> {
            LOG.info("demo traffic: waiting for the stack to be up ({})", readyUrls);
            for (URI url : readyUrls) {
                while (!answers(url)) {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            if (!timer.isShutdown()) {
                startTraffic();
            }
        });
    }

    private boolean answers(URI url) {
        try {
            return http.send(
                                    HttpRequest.newBuilder(url)
                                            .timeout(Duration.ofSeconds(2))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    < 500;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void startTraffic() {
        long periodMicros = 1_000_000L / ratePerSecond;
        timer.scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        timer.schedule(
                () -> {
                    degraded.degrade(EXTRA_DELAY, ERROR_RATE);
                    LOG.info(
                            "demo: node {} now answers {} ms slower and fails {}% of requests",
                            degraded.hostPort(), EXTRA_DELAY.toMillis(), Math.round(ERROR_RATE * 100));
                },
                degradeAfter.toMillis(),
                TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(this::report, 5, 5, TimeUnit.SECONDS);
        LOG.info(
                "demo traffic: the stack is up; {} req/s to {}/orders/..., node {} degrades in {} s",
                ratePerSecond,
                gateway,
                degraded.hostPort(),
                degradeAfter.toSeconds());
    }

    private void sendOne() {
        long n = sequence.incrementAndGet();
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/orders/" + (n % 100)))
                .timeout(Duration.ofSeconds(15))
                .GET()
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            requests.incrementAndGet();
            if (error != null || response.statusCode() >= 500) {
                errors.incrementAndGet();
            }
            latency.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
        });
    }

    private void report() {
        var h = latency.getIntervalHistogram();
        long r = requests.getAndSet(0);
        long e = errors.getAndSet(0);
        LOG.info(
                "demo traffic (last 5 s): {} requests, {} errors ({}%), p50 {} ms, p99 {} ms",
                r,
                e,
                r == 0 ? 0 : Math.round(100.0 * e / r),
                h.getValueAtPercentile(50) / 1000,
                h.getValueAtPercentile(99) / 1000);
        // The fixtures record every request for tests; a demo runs for hours, so keep memory bounded.
        rest.clearRequests();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        http.close();
    }
}
