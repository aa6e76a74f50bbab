package org.a6suite.bench.fallback;

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

/**
 * Open-loop GETs: every {@code 1/rate} seconds one request to each route prefix, whatever the earlier ones are doing
 * (a hanging backend does not slow the sender, so there is no coordinated omission). Keys cycle through
 * {@code <prefix>/items/0 .. keys-1}, so a cache filled in the steady phase covers every later request.
 */
final class Traffic implements AutoCloseable {

    private final URI base;
    private final List<String> prefixes;
    private final int rate;
    private final int keys;
    private final Duration timeout;
    private final long origin;
    // HTTP/1.1 as APISIX's clients mostly are; a new connection per concurrent request, none shared with a hung one.
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fallback-bench-traffic");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();

    Traffic(URI base, List<String> prefixes, int rate, int keys, Duration timeout, long originNanos) {
        this.base = base;
        this.prefixes = List.copyOf(prefixes);
        this.rate = rate;
        this.keys = keys;
        this.timeout = timeout;
        this.origin = originNanos;
    }

    void start() {
        timer.scheduleAtFixedRate(this::sendAll, 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);
    }

    private void sendAll() {
        long n = sequence.getAndIncrement();
        for (String prefix : prefixes) {
            send(prefix, prefix + "/items/" + (n % keys));
        }
    }

    private void send(String route, String path) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .GET()
                .build();
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
            long latency = System.nanoTime() - start;
            inFlight.decrementAndGet();
            if (error != null) {
                samples.add(new Sample(route, start - origin, latency, Sample.NO_RESPONSE, ""));
            } else {
                samples.add(new Sample(
                        route,
                        start - origin,
                        latency,
                        response.statusCode(),
                        response.headers().firstValue("X-A6-Fallback").orElse("")));
            }
        });
    }

    long inFlight() {
        return inFlight.get();
    }

    /** Stops sending and waits, at most {@code maxWait}, for the answers still in flight. */
    void stopAndDrain(Duration maxWait) throws InterruptedException {
        timer.shutdownNow();
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        http.shutdownNow();
    }
}
