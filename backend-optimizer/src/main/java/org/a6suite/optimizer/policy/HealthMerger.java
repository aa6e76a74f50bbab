package org.a6suite.optimizer.policy;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.a6suite.optimizer.model.HealthDocument;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Percentiles;
import org.a6suite.optimizer.model.UpstreamRef;

/**
 * Merges the health documents of all APISIX nodes into one view per upstream node. Counts are summed; percentiles are
 * averaged weighted by each report's request count (an approximation: exact merging would need the histograms); the
 * health status is the worst reported. Documents older than {@code staleIntervals} x their interval are ignored (their
 * lease should have removed them already).
 */
public final class HealthMerger {

    private static final List<String> SEVERITY = List.of("healthy", "mostly_healthy", "mostly_unhealthy", "unhealthy");

    private final Clock clock;
    private final int staleIntervals;

    public HealthMerger(Clock clock, int staleIntervals) {
        this.clock = requireNonNull(clock, "clock");
        if (staleIntervals < 1) {
            throw new IllegalArgumentException("staleIntervals: " + staleIntervals + " (expected: >= 1)");
        }
        this.staleIntervals = staleIntervals;
    }

    /**
     * The merged health of one upstream's nodes.
     *
     * @param nodes          merged health by node address
     * @param stamp          changes whenever a contributing report changes
     * @param reporters      how many APISIX nodes reported this upstream
     * @param newestReportMs the newest contributing report's {@code generated_at_ms} (0 without reports)
     */
    public record Merged(Map<String, NodeHealth> nodes, long stamp, int reporters, long newestReportMs) {
        public Merged {
            nodes = Map.copyOf(nodes);
        }
    }

    public Merged merge(UpstreamRef ref, Collection<HealthDocument> documents) {
        long now = clock.millis();
        Map<String, List<NodeHealth>> perNode = new TreeMap<>();
        long stamp = 0;
        long newest = 0;
        int reporters = 0;
        for (HealthDocument doc : documents) {
            if (now - doc.generatedAtMs() > staleIntervals * Math.max(1, doc.intervalMs())) {
                continue;
            }
            Map<String, NodeHealth> nodes = doc.upstreams().get(ref.key());
            if (nodes == null) {
                continue;
            }
            reporters++;
            newest = Math.max(newest, doc.generatedAtMs());
            // Sum of report times: moves when any contributing reporter publishes a new report.
            stamp += doc.generatedAtMs() ^ doc.nodeId().hashCode();
            nodes.forEach((addr, h) ->
                    perNode.computeIfAbsent(addr, k -> new ArrayList<>()).add(h));
        }
        Map<String, NodeHealth> merged = new TreeMap<>();
        perNode.forEach((addr, list) -> merged.put(addr, mergeNode(list)));
        return new Merged(merged, stamp, reporters, newest);
    }

    static NodeHealth mergeNode(List<NodeHealth> list) {
        long requests = 0, e5 = 0, e4 = 0, to = 0, conn = 0;
        TreeSet<String> sources = new TreeSet<>();
        Optional<String> worst = Optional.empty();
        for (NodeHealth h : list) {
            requests += h.requests();
            e5 += h.http5xx();
            e4 += h.http4xx();
            to += h.timeouts();
            conn += h.connect();
            sources.addAll(h.sources());
            if (h.health().isPresent()) {
                String s = h.health().get();
                if (worst.isEmpty() || SEVERITY.indexOf(s) > SEVERITY.indexOf(worst.get())) {
                    worst = Optional.of(s);
                }
            }
        }
        return new NodeHealth(
                requests,
                e5,
                e4,
                to,
                conn,
                mergePercentiles(list, NodeHealth::latency),
                mergePercentiles(list, NodeHealth::connectMs),
                mergePercentiles(list, NodeHealth::responseMs),
                worst,
                List.copyOf(sources));
    }

    private static Percentiles mergePercentiles(
            List<NodeHealth> list, java.util.function.Function<NodeHealth, Percentiles> field) {
        return new Percentiles(
                avg(list, field, "p50"), avg(list, field, "p90"), avg(list, field, "p99"), avg(list, field, "p999"));
    }

    private static double avg(
            List<NodeHealth> list, java.util.function.Function<NodeHealth, Percentiles> field, String p) {
        double sum = 0, weight = 0;
        int plain = 0;
        double plainSum = 0;
        for (NodeHealth h : list) {
            var v = field.apply(h).get(p);
            if (v.isEmpty()) {
                continue;
            }
            plain++;
            plainSum += v.getAsDouble();
            sum += v.getAsDouble() * h.requests();
            weight += h.requests();
        }
        if (plain == 0) {
            return Double.NaN;
        }
        return weight > 0 ? sum / weight : plainSum / plain;
    }
}
