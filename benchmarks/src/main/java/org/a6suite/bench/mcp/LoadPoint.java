package org.a6suite.bench.mcp;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * One closed-loop measurement: N clients, each on its own platform thread and connection, send the next request as
 * soon as the previous answer arrived. The first {@code warmup} seconds are run but not recorded; then every
 * request's latency (send to full body) goes into that client's histogram, merged at the end.
 */
final class LoadPoint {

    /** Latencies above one minute cannot happen (request timeout 30 s); kept for a bounded histogram. */
    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** Builds a connected client; called before the clock starts, so sessions are set up outside the measurement. */
    interface ClientFactory {
        Target.Client create(HttpClient http, int index) throws Exception;
    }

    /** Latencies in microseconds; {@code rps} is successful answers per measured second. */
    record Result(
            int round,
            Target.Kind kind,
            int clients,
            long count,
            long errors,
            double rps,
            double p50Us,
            double p90Us,
            double p99Us,
            double p999Us,
            double maxUs) {

        String toJson() {
            return ("{\"round\":%d,\"target\":\"%s\",\"clients\":%d,\"count\":%d,\"errors\":%d,\"rps\":%.1f,"
                            + "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f}")
                    .formatted(round, kind.label, clients, count, errors, rps, p50Us, p90Us, p99Us, p999Us, maxUs);
        }
    }

    private LoadPoint() {}

    static Result run(int round, Target.Kind kind, int clients, int warmupSeconds, int seconds, ClientFactory factory)
            throws Exception {
        List<HttpClient> https = new ArrayList<>();
        List<Target.Client> connected = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                HttpClient http = Target.httpClient();
                https.add(http);
                connected.add(factory.create(http, i));
            }
            Histogram[] histograms = new Histogram[clients];
            AtomicLong errors = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            long[] window = new long[2];
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Histogram h = new Histogram(HIGHEST_NANOS, 3);
                histograms[i] = h;
                Target.Client client = connected.get(i);
                threads.add(Thread.ofPlatform()
                        .name("mcp-bench-client-" + i)
                        .daemon()
                        .start(() -> {
                            try {
                                go.await();
                            } catch (InterruptedException e) {
                                return;
                            }
                            long measureFrom = window[0];
                            long end = window[1];
                            while (true) {
                                long t0 = System.nanoTime();
                                if (t0 - end >= 0) {
                                    return;
                                }
                                boolean ok;
                                try {
                                    ok = client.call();
                                } catch (InterruptedException e) {
                                    return;
                                } catch (Exception e) {
                                    ok = false;
                                }
                                long t1 = System.nanoTime();
                                if (t0 - measureFrom >= 0 && t1 - end < 0) {
                                    if (ok) {
                                        h.recordValue(Math.min(t1 - t0, HIGHEST_NANOS));
                                    } else {
                                        errors.incrementAndGet();
                                    }
                                }
                            }
                        }));
            }
            long start = System.nanoTime();
            window[0] = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            window[1] = window[0] + TimeUnit.SECONDS.toNanos(seconds);
            go.countDown(); // the latch publishes window[] to the client threads
            for (Thread t : threads) {
                // Every call has a 30 s timeout, so a client ends at most that long after the window.
                if (!t.join(java.time.Duration.ofSeconds(warmupSeconds + seconds + 60L))) {
                    throw new IllegalStateException("client " + t.getName() + " did not finish");
                }
            }
            Histogram all = new Histogram(HIGHEST_NANOS, 3);
            for (Histogram h : histograms) {
                all.add(h);
            }
            long count = all.getTotalCount();
            return new Result(
                    round,
                    kind,
                    clients,
                    count,
                    errors.get(),
                    count / (double) seconds,
                    us(all.getValueAtPercentile(50)),
                    us(all.getValueAtPercentile(90)),
                    us(all.getValueAtPercentile(99)),
                    us(all.getValueAtPercentile(99.9)),
                    us(all.getMaxValue()));
        } finally {
            https.forEach(HttpClient::close);
        }
    }

    private static double us(long nanos) {
        return nanos / 1000.0;
    }
}
