package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The per-request metrics of APISIX's {@code prometheus} plugin ({@code apisix/plugins/prometheus/exporter.lua},
 * {@code http_log}), rendered in the text format of the nginx-lua-prometheus library it uses:
 *
 * <pre>
 * apisix_http_status{code,route,matched_uri,matched_host,service,consumer,node}           counter
 * apisix_http_latency{type=request|upstream|apisix,route,service,consumer,node}  histogram, milliseconds
 *   buckets 1 2 5 10 20 50 100 200 500 1000 2000 5000 10000 30000 60000 (+Inf)      (exporter.lua DEFAULT_BUCKETS)
 * apisix_http_requests_total                                                          gauge
 * apisix_node_info{hostname}                                                          gauge
 * </pre>
 *
 * <p>{@code node} is {@code ctx.balancer_ip}: the host of the last node picked for the request, without the port
 * (APISIX's balancer sets {@code balancer_ip} and {@code balancer_port} apart and the exporter only labels the IP).
 * {@code type="upstream"} is observed only when nginx proxied ({@code $upstream_response_time} set); not for Stop
 * answers or the post-resp path, where APISIX fetches the upstream itself. Series are printed sorted, as the library
 * prints them. Thread-safe.
 *
 * <p><b>Served from a cache, as APISIX serves it.</b> Since APISIX 3.14 the export endpoint does not compute the text per
 * scrape: the privileged agent renders it every {@code plugin_attr.prometheus.refresh_interval} seconds (15 by default:
 * {@code DEFAULT_REFRESH_INTERVAL} in {@code exporter.lua}, {@code refresh_interval = 15} in {@code apisix/cli/config.lua})
 * into the {@code prometheus-cache} shared dict, and {@code get_cached_metrics} answers that copy. {@link #render()}
 * does the same: the text is rebuilt at most once per refresh period (periods counted from this object's creation, as
 * APISIX's timer counts from its start), on the first scrape in the period; every other scrape gets the same text,
 * byte for byte. One difference, so that a fixture serves data at once: APISIX renders when its agent starts, this
 * renders on the first scrape. The period comes from {@value #REFRESH_PROPERTY} (system property) or
 * {@value #REFRESH_VARIABLE} (environment): seconds ({@code 15}, {@code 2.5}) or {@code 500ms} / {@code 15s}; {@code 0}
 * renders fresh text on every scrape (the behaviour before APISIX 3.14).
 */
public final class PrometheusMetrics {

    /** APISIX's default latency buckets in milliseconds ({@code DEFAULT_BUCKETS} in exporter.lua). */
    public static final List<Double> DEFAULT_BUCKETS =
            List.of(1d, 2d, 5d, 10d, 20d, 50d, 100d, 200d, 500d, 1000d, 2000d, 5000d, 10000d, 30000d, 60000d);

    /** System property with the refresh period; wins over {@link #REFRESH_VARIABLE}. */
    public static final String REFRESH_PROPERTY = "a6.emulator.prometheus.refresh-interval";
    /** Environment variable with the refresh period. */
    public static final String REFRESH_VARIABLE = "A6_EMULATOR_PROMETHEUS_REFRESH_INTERVAL";
    /** APISIX's default {@code refresh_interval}. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(15);

    private final String hostname;
    private final Map<String, LongAdder> status = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final long refreshNanos;
    private final LongSupplier nanoTime;
    private final long startNanos;
    /** The cached text and the refresh period it belongs to; replaced whole. */
    private final AtomicReference<Cached> cached = new AtomicReference<>();

    private record Cached(long period, String text) {}

    /** With the refresh period of {@value #REFRESH_PROPERTY} / {@value #REFRESH_VARIABLE}, else APISIX's 15 s. */
    public PrometheusMetrics(String hostname) {
        this(
                hostname,
                configuredRefresh(System.getProperty(REFRESH_PROPERTY), System.getenv(REFRESH_VARIABLE)),
                System::nanoTime);
    }

    /**
     * @param refreshInterval how often the served text is rebuilt; {@link Duration#ZERO} for every scrape
     * @param nanoTime        the time source ({@link System#nanoTime()}; tests move it)
     */
    public PrometheusMetrics(String hostname, Duration refreshInterval, LongSupplier nanoTime) {
        this.hostname = hostname;
        requireNonNull(refreshInterval, "refreshInterval");
        if (refreshInterval.isNegative()) {
            throw new IllegalArgumentException("refreshInterval: " + refreshInterval + " (expected: >= 0)");
        }
        this.refreshNanos = refreshInterval.toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        this.startNanos = nanoTime.getAsLong();
    }

    /** The refresh period from a system property value, else an environment value, else APISIX's default. */
    static Duration configuredRefresh(String property, String variable) {
        if (property != null && !property.isBlank()) {
            return parseRefresh(REFRESH_PROPERTY, property.trim());
        }
        if (variable != null && !variable.isBlank()) {
            return parseRefresh(REFRESH_VARIABLE, variable.trim());
        }
        return DEFAULT_REFRESH;
    }

    private static Duration parseRefresh(String name, String value) {
        String v = value.toLowerCase(java.util.Locale.ROOT);
        try {
            double amount;
            long unitMillis;
            if (v.endsWith("ms")) {
                amount = Double.parseDouble(v.substring(0, v.length() - 2));
                unitMillis = 1;
            } else if (v.endsWith("s")) {
                amount = Double.parseDouble(v.substring(0, v.length() - 1));
                unitMillis = 1000;
            } else {
                amount = Double.parseDouble(v);
                unitMillis = 1000;
            }
            if (amount >= 0 && amount * unitMillis <= 3_600_000) {
                return Duration.ofMillis(Math.round(amount * unitMillis));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": " + value
                + " (expected: seconds like APISIX's refresh_interval, e.g. 15, 500ms, 15s; 0 = every scrape; <= 1 h)");
    }

    /** One proxied (or answered) request on a matched route, logged as the plugin's {@code http_log} does. */
    public void log(
            int code,
            String route,
            String matchedUri,
            String service,
            String node,
            double latencyMs,
            double upstreamLatencyMs) {
        requests.increment();
        status.computeIfAbsent(
                        labels(
                                "code",
                                String.valueOf(code),
                                "route",
                                route,
                                "matched_uri",
                                matchedUri,
                                "matched_host",
                                "",
                                "service",
                                service,
                                "consumer",
                                "",
                                "node",
                                node),
                        k -> new LongAdder())
                .increment();
        observe("request", route, service, node, latencyMs);
        double apisix = latencyMs;
        if (upstreamLatencyMs >= 0) {
            observe("upstream", route, service, node, upstreamLatencyMs);
            apisix = Math.max(0, latencyMs - upstreamLatencyMs); // log-util clamps a negative difference to 0
        }
        observe("apisix", route, service, node, apisix);
    }

    /** Counts a request that matched no route (nginx's {@code $request} counter still sees it). */
    public void unmatched() {
        requests.increment();
    }

    private void observe(String type, String route, String service, String node, double ms) {
        latency.computeIfAbsent(
                        labels("type", type, "route", route, "service", service, "consumer", "", "node", node),
                        k -> new Histogram())
                .observe(ms);
    }

    /**
     * The exposition text served at {@code /apisix/prometheus/metrics}: the text of the current refresh period, built
     * by the first call in the period (see the class comment).
     */
    public String render() {
        if (refreshNanos == 0) {
            return collect();
        }
        long period = Math.floorDiv(nanoTime.getAsLong() - startNanos, refreshNanos);
        Cached current = cached.get();
        if (current != null && current.period() >= period) {
            return current.text();
        }
        Cached next = new Cached(period, collect());
        // Two scrapes racing into a new period: the first one stored wins, both answer the same text.
        return cached.compareAndSet(current, next) ? next.text() : cached.get().text();
    }

    /** Fresh text from the counters now (APISIX's {@code collect}, run by its refresh timer). */
    public String collect() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP apisix_http_latency HTTP request latency in milliseconds per service in APISIX\n");
        out.append("# TYPE apisix_http_latency histogram\n");
        new ConcurrentSkipListMap<>(latency).forEach((labels, h) -> h.render(out, labels));
        out.append("# HELP apisix_http_requests_total The total number of client requests since APISIX started\n");
        out.append("# TYPE apisix_http_requests_total gauge\n");
        out.append("apisix_http_requests_total ").append(requests.sum()).append('\n');
        out.append("# HELP apisix_http_status HTTP status codes per service in APISIX\n");
        out.append("# TYPE apisix_http_status counter\n");
        new ConcurrentSkipListMap<>(status)
                .forEach((labels, n) -> out.append("apisix_http_status{")
                        .append(labels)
                        .append("} ")
                        .append(n.sum())
                        .append('\n'));
        out.append("# HELP apisix_node_info Info of APISIX node\n");
        out.append("# TYPE apisix_node_info gauge\n");
        out.append("apisix_node_info{").append(labels("hostname", hostname)).append("} 1\n");
        return out.toString();
    }

    /** {@code name="value",...} with the exposition format's escapes. */
    private static String labels(String... pairs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(pairs[i]).append("=\"");
            String v = pairs[i + 1] == null ? "" : pairs[i + 1];
            for (int j = 0; j < v.length(); j++) {
                char c = v.charAt(j);
                switch (c) {
                    case '\\' -> b.append("\\\\");
                    case '"' -> b.append("\\\"");
                    case '\n' -> b.append("\\n");
                    default -> b.append(c);
                }
            }
            b.append('"');
        }
        return b.toString();
    }

    private static String number(double v) {
        // Lua's tostring: integral values print without a fraction ("le=\"5\"", "_sum 300")
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static final class Histogram {
        private final AtomicLongArray counts = new AtomicLongArray(DEFAULT_BUCKETS.size() + 1);
        private final DoubleAdder sum = new DoubleAdder();
        private final LongAdder count = new LongAdder();

        void observe(double ms) {
            int i = 0;
            while (i < DEFAULT_BUCKETS.size() && ms > DEFAULT_BUCKETS.get(i)) {
                i++;
            }
            counts.incrementAndGet(i);
            sum.add(ms);
            count.increment();
        }

        void render(StringBuilder out, String labels) {
            long cumulative = 0;
            for (int i = 0; i <= DEFAULT_BUCKETS.size(); i++) {
                cumulative += counts.get(i);
                String le = i < DEFAULT_BUCKETS.size() ? number(DEFAULT_BUCKETS.get(i)) : "+Inf";
                out.append("apisix_http_latency_bucket{")
                        .append(labels)
                        .append(",le=\"")
                        .append(le)
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            out.append("apisix_http_latency_count{")
                    .append(labels)
                    .append("} ")
                    .append(count.sum())
                    .append('\n');
            out.append("apisix_http_latency_sum{")
                    .append(labels)
                    .append("} ")
                    .append(number(sum.sum()))
                    .append('\n');
        }
    }
}
