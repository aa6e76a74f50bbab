package org.a6suite.emulator.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

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
 */
public final class PrometheusMetrics {

    /** APISIX's default latency buckets in milliseconds ({@code DEFAULT_BUCKETS} in exporter.lua). */
    public static final List<Double> DEFAULT_BUCKETS = List.of(1d, 2d, 5d, 10d, 20d, 50d, 100d, 200d, 500d, 1000d,
            2000d, 5000d, 10000d, 30000d, 60000d);

    private final String hostname;
    private final Map<String, LongAdder> status = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();

    public PrometheusMetrics(String hostname) {
        this.hostname = hostname;
    }

    /** One proxied (or answered) request on a matched route, logged as the plugin's {@code http_log} does. */
    public void log(int code, String route, String matchedUri, String service, String node, double latencyMs,
                    double upstreamLatencyMs) {
        requests.increment();
        status.computeIfAbsent(labels("code", String.valueOf(code), "route", route, "matched_uri", matchedUri,
                "matched_host", "", "service", service, "consumer", "", "node", node), k -> new LongAdder())
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
        latency.computeIfAbsent(labels("type", type, "route", route, "service", service, "consumer", "", "node",
                node), k -> new Histogram()).observe(ms);
    }

    /** The exposition text served at {@code /apisix/prometheus/metrics}. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP apisix_http_latency HTTP request latency in milliseconds per service in APISIX\n");
        out.append("# TYPE apisix_http_latency histogram\n");
        new ConcurrentSkipListMap<>(latency).forEach((labels, h) -> h.render(out, labels));
        out.append("# HELP apisix_http_requests_total The total number of client requests since APISIX started\n");
        out.append("# TYPE apisix_http_requests_total gauge\n");
        out.append("apisix_http_requests_total ").append(requests.sum()).append('\n');
        out.append("# HELP apisix_http_status HTTP status codes per service in APISIX\n");
        out.append("# TYPE apisix_http_status counter\n");
        new ConcurrentSkipListMap<>(status).forEach((labels, n) ->
                out.append("apisix_http_status{").append(labels).append("} ").append(n.sum()).append('\n'));
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
                out.append("apisix_http_latency_bucket{").append(labels).append(",le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append("apisix_http_latency_count{").append(labels).append("} ").append(count.sum()).append('\n');
            out.append("apisix_http_latency_sum{").append(labels).append("} ").append(number(sum.sum()))
                    .append('\n');
        }
    }
}
