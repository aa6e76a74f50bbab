package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import org.a6suite.optimizer.model.ClusterSnapshot;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.HealthMerger;
import org.a6suite.optimizer.policy.Recommendation;

/** Keeps the dashboard's series: one point per upstream and evaluation, the newest {@code limit} per upstream. */
final class SeriesRecorder {

    private final Clock clock;
    private final int limit;
    private final Map<UpstreamRef, Deque<SeriesPoint>> series = new ConcurrentHashMap<>();

    SeriesRecorder(Clock clock, int limit) {
        this.clock = requireNonNull(clock, "clock");
        this.limit = limit;
    }

    /** Appends the point of one evaluation, dropping the oldest beyond the limit. */
    void record(UpstreamConfig config, HealthMerger.Merged health, Recommendation rec) {
        Collection<NodeHealth> nodes = health.nodes().values();
        OptionalDouble p50 = requestWeightedMean(nodes, "p50");
        OptionalDouble p99 = requestWeightedMean(nodes, "p99");
        SeriesPoint point = new SeriesPoint(
                clock.millis(),
                rec.inputs().requests(),
                rec.inputs().requests() == 0 ? null : rec.inputs().errorRate(),
                p50.isPresent() ? p50.getAsDouble() : null,
                p99.isPresent() ? p99.getAsDouble() : null,
                config.timeout().orElse(Timeouts.NGINX_DEFAULTS),
                config.weights(),
                rec.inputs().nodes());
        Deque<SeriesPoint> points = series.computeIfAbsent(config.ref(), k -> new ArrayDeque<>());
        synchronized (points) {
            points.addLast(point);
            while (points.size() > limit) {
                points.removeFirst();
            }
        }
    }

    /**
     * The mean of the nodes' {@code percentile} latency weighted by their requests (a node without requests counts
     * as one, so an idle upstream still shows its latency); empty when no node reports that percentile.
     */
    private static OptionalDouble requestWeightedMean(Collection<NodeHealth> nodes, String percentile) {
        double sum = 0;
        double weights = 0;
        for (NodeHealth h : nodes) {
            OptionalDouble v = h.latency().get(percentile);
            if (v.isPresent()) {
                double weight = Math.max(1, h.requests());
                sum += v.getAsDouble() * weight;
                weights += weight;
            }
        }
        return weights == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / weights);
    }

    /** The points of {@code ref}, oldest first; empty when it has none. */
    List<SeriesPoint> series(UpstreamRef ref) {
        Deque<SeriesPoint> points = series.get(ref);
        if (points == null) {
            return List.of();
        }
        synchronized (points) {
            return List.copyOf(points);
        }
    }

    /** Forgets the upstreams no longer in {@code snapshot}. */
    void retain(ClusterSnapshot snapshot) {
        series.keySet().removeIf(ref -> !snapshot.upstreams().containsKey(ref));
    }
}
