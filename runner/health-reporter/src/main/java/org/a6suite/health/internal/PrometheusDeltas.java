package org.a6suite.health.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.a6suite.health.internal.PrometheusText.Sample;

/**
 * Turns successive scrapes of APISIX's prometheus exporter into per-node interval statistics.
 *
 * <p>APISIX's metrics are cumulative counters: {@code apisix_http_status{code,route,service,node,...}} and the
 * histogram {@code apisix_http_latency_bucket{type="upstream",route,service,node,le}} (milliseconds). Each scrape is
 * compared with the previous one series by series; a series that went down (APISIX reloaded, a worker restarted)
 * counts from zero. The first scrape only sets the baseline. Series are grouped by (upstream key, node): the key is
 * {@code routes/<route>}, or {@code services/<service>} when the route label is empty, then passed through the
 * configured mapping. Series with an empty {@code node} (requests no upstream served) are skipped.
 *
 * <p>APISIX (3.14 and later) does not compute this text per scrape: its privileged agent renders it every
 * {@code plugin_attr.prometheus.refresh_interval} seconds (15 by default) into the {@code prometheus-cache} shared dict,
 * and the export endpoint serves that cached copy ({@code apisix/plugins/prometheus/exporter.lua},
 * {@code init_exporter_timer}, {@code get_cached_metrics}). A scrape between two refreshes therefore sees exactly the
 * counters of the previous one. That is not "no requests": it is no new data, so {@link #update} answers
 * {@link Scrape.Unchanged} and keeps its baseline, and the requests of the period show up, whole, in the first scrape
 * after the next refresh.
 *
 * <p>Percentiles come from the bucket deltas with linear interpolation inside the bucket, as PromQL's
 * {@code histogram_quantile} does; a percentile in the {@code +Inf} bucket reports the highest finite bound.
 * Not thread-safe: the reporter's single thread owns it.
 */
public final class PrometheusDeltas {

    public static final String STATUS = "apisix_http_status";
    public static final String LATENCY_BUCKET = "apisix_http_latency_bucket";
    public static final Set<String> WANTED = Set.of(STATUS, LATENCY_BUCKET);

    private final UnaryOperator<String> keyMapping;
    private Map<Map<String, String>, Double> previous;

    public PrometheusDeltas(UnaryOperator<String> keyMapping) {
        this.keyMapping = keyMapping;
    }

    /** What one scrape of the exporter tells about the time since the previous one. */
    public sealed interface Scrape {
        /** The first scrape: counters to subtract from later, nothing to report yet. */
        record Baseline() implements Scrape {}

        /**
         * The same counters as the previous scrape: the exporter has not refreshed its cached text yet (or refreshed
         * with no request at all; only time can tell the two apart). No new data; the baseline is kept.
         */
        record Unchanged() implements Scrape {}

        /** New counters: the requests since the previous change, per node (nodes without requests are absent). */
        record Changed(Map<NodeKey, IntervalStats> deltas) implements Scrape {
            public Changed {
                deltas = Map.copyOf(deltas);
            }
        }
    }

    /** Feeds one scrape; see {@link Scrape} for what it may answer. */
    public Scrape update(List<Sample> samples) {
        Map<Map<String, String>, Double> current = new HashMap<>();
        for (Sample s : samples) {
            Map<String, String> id = new HashMap<>(s.labels());
            id.put("__name__", s.name());
            current.merge(id, s.value(), Double::sum);
        }
        Map<Map<String, String>, Double> before = previous;
        if (before == null) {
            previous = current;
            return new Scrape.Baseline();
        }
        if (current.equals(before)) {
            return new Scrape.Unchanged();
        }
        previous = current;
        return new Scrape.Changed(deltas(before, current));
    }

    /** The deltas as a map: empty for a baseline or an unchanged exporter (tests and simple callers). */
    public Map<NodeKey, IntervalStats> updateDeltas(List<Sample> samples) {
        return update(samples) instanceof Scrape.Changed c ? c.deltas() : Map.of();
    }

    private Map<NodeKey, IntervalStats> deltas(
            Map<Map<String, String>, Double> before, Map<Map<String, String>, Double> current) {
        Map<NodeKey, long[]> counts = new TreeMap<>(); // requests, 5xx, 4xx
        Map<NodeKey, TreeMap<Double, Double>> buckets = new TreeMap<>();
        for (Map.Entry<Map<String, String>, Double> e : current.entrySet()) {
            Map<String, String> labels = e.getKey();
            Optional<NodeKey> key = nodeKey(labels);
            if (key.isEmpty()) {
                continue;
            }
            double now = e.getValue();
            if (Double.isNaN(now)) {
                continue;
            }
            double was = before.getOrDefault(labels, 0.0);
            double delta = now >= was ? now - was : now;
            if (delta <= 0) {
                continue;
            }
            String name = labels.get("__name__");
            if (name.equals(STATUS)) {
                long[] c = counts.computeIfAbsent(key.get(), k -> new long[3]);
                long d = Math.round(delta);
                c[0] += d;
                String code = labels.getOrDefault("code", "");
                if (code.startsWith("5")) {
                    c[1] += d;
                } else if (code.startsWith("4")) {
                    c[2] += d;
                }
            } else if (name.equals(LATENCY_BUCKET) && "upstream".equals(labels.get("type"))) {
                double le = parseLe(labels.get("le"));
                if (!Double.isNaN(le)) {
                    buckets.computeIfAbsent(key.get(), k -> new TreeMap<>()).merge(le, delta, Double::sum);
                }
            }
        }
        Map<NodeKey, IntervalStats> out = new TreeMap<>();
        for (NodeKey key : union(counts.keySet(), buckets.keySet())) {
            long[] c = counts.getOrDefault(key, new long[3]);
            Optional<Percentiles> latency =
                    Optional.ofNullable(buckets.get(key)).flatMap(PrometheusDeltas::percentiles);
            out.put(key, new IntervalStats(c[0], c[1], c[2], 0, 0, latency));
        }
        return out;
    }

    private static java.util.SortedSet<NodeKey> union(Set<NodeKey> a, Set<NodeKey> b) {
        java.util.TreeSet<NodeKey> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private Optional<NodeKey> nodeKey(Map<String, String> labels) {
        String node = labels.getOrDefault("node", "");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        String route = labels.getOrDefault("route", "");
        String service = labels.getOrDefault("service", "");
        String key;
        if (!route.isEmpty()) {
            key = "routes/" + route;
        } else if (!service.isEmpty()) {
            key = "services/" + service;
        } else {
            return Optional.empty();
        }
        return Optional.of(new NodeKey(keyMapping.apply(key), node));
    }

    private static double parseLe(String le) {
        if (le == null) {
            return Double.NaN;
        }
        if (le.equals("+Inf") || le.equals("Inf")) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            return Double.parseDouble(le);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Cumulative bucket deltas (le -> count) to percentiles; empty when no request fell in any bucket. */
    static Optional<Percentiles> percentiles(TreeMap<Double, Double> cumulative) {
        Double total = cumulative.get(Double.POSITIVE_INFINITY);
        if (total == null) {
            total = cumulative.isEmpty() ? 0.0 : cumulative.lastEntry().getValue();
        }
        if (total <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Percentiles(
                quantile(cumulative, total, 0.5),
                quantile(cumulative, total, 0.9),
                quantile(cumulative, total, 0.99),
                quantile(cumulative, total, 0.999)));
    }

    private static double quantile(TreeMap<Double, Double> cumulative, double total, double q) {
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        double highestFinite = 0;
        for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
            double bound = b.getKey();
            // cumulative buckets may be non-monotonic after a partial reset; keep them monotonic
            double count = Math.max(lowerCount, b.getValue());
            if (Double.isInfinite(bound)) {
                return round(highestFinite);
            }
            highestFinite = bound;
            if (count >= rank) {
                double inBucket = count - lowerCount;
                double fraction = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
                return round(lowerBound + (bound - lowerBound) * fraction);
            }
            lowerBound = bound;
            lowerCount = count;
        }
        return round(highestFinite);
    }

    private static double round(double ms) {
        return Math.round(ms * 100.0) / 100.0;
    }
}
