package org.a6suite.optimizer.policy;

import java.util.List;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;

/** Latency figures the policies share: a node's p90 (or the nearest percentile reported), medians, peers. */
final class Latencies {

    private Latencies() {}

    static double medianP90(EvaluationInput input) {
        List<Double> values = input.health().nodes().values().stream()
                .filter(h -> h.requests() >= input.policy().minNodeSamples())
                .map(Latencies::p90)
                .flatMap(Optional::stream)
                .sorted()
                .toList();
        return values.isEmpty() ? Double.NaN : median(values);
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static Optional<Double> p90(NodeHealth h) {
        for (String p : List.of("p90", "p50", "p99")) {
            var v = h.latency().get(p);
            if (v.isPresent()) {
                return Optional.of(v.getAsDouble());
            }
            var r = h.responseMs().get(p);
            if (r.isPresent()) {
                return Optional.of(r.getAsDouble());
            }
        }
        return Optional.empty();
    }

    static double latencyFactor(NodeHealth h, double median, Policy policy) {
        Optional<Double> own = p90(h);
        if (own.isEmpty() || Double.isNaN(median) || own.get() <= 0) {
            return 1;
        }
        // The relative tolerance alone turns millisecond jitter between fast nodes into weight changes (5 ms vs a 3 ms
        // median is "67 % slower"), so differences below latencyToleranceMs never cost score.
        double allowed = Math.max(median * policy.latencyTolerance(), median + policy.latencyToleranceMs());
        return Math.min(1, allowed / own.get());
    }

    /** The p90s of a node's peers: the other nodes with a full sample that are not ejected, sorted. */
    static List<Double> peerP90s(String addr, EvaluationInput input, UpstreamState previous) {
        return input.health().nodes().entrySet().stream()
                .filter(e -> !e.getKey().equals(addr)
                        && !previous.node(e.getKey()).ejected()
                        && e.getValue().requests() >= input.policy().minNodeSamples())
                .map(e -> p90(e.getValue()))
                .flatMap(Optional::stream)
                .sorted()
                .toList();
    }

    static boolean hasPeers(String addr, EvaluationInput input, UpstreamState previous) {
        return !peerP90s(addr, input, previous).isEmpty();
    }
}
