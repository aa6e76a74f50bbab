package org.a6suite.optimizer.policy;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.UpstreamNode;

/**
 * Moves each node's memory forward by one health report and ejects or returns nodes: the smoothed score (which the
 * {@link WeightPolicy} turns into a weight), the failing and latency-outlier streaks, and ejection with its budget
 * ({@code maxEjectFraction}, never the last healthy node) and its return at the floor weight. Score and ejection live
 * together because a returning node's score restarts at the floor and an ejected node's score is 0. No I/O.
 */
final class EjectionPolicy {

    /**
     * The state after {@code input}'s health report, starting from {@code previous}; every ejection, return and
     * outlier streak is explained in {@code reasons}.
     */
    UpstreamState advance(EvaluationInput input, UpstreamState previous, Instant now, List<String> reasons) {
        Policy policy = input.policy();
        Map<String, NodeHealth> health = input.health().nodes();
        Map<String, Integer> baseline = input.baseline();
        double medianLatency = Latencies.medianP90(input);
        Map<String, NodeState> next = new LinkedHashMap<>();
        Map<String, String> outliers = new LinkedHashMap<>();
        for (UpstreamNode node : input.config().nodes()) {
            String addr = node.address();
            NodeState prev = previous.node(addr);
            NodeHealth h = health.get(addr);
            double score = prev.score();
            boolean failing = false;
            boolean outlier = false;
            // Whether this report says anything about the node. A report without (enough) requests for it is no
            // evidence either way: its streaks are kept, not restarted, or an exporter that refreshes every 15 s
            // behind 5 s reports would never let a node be an outlier in two consecutive reports.
            boolean judgedFailing = false;
            boolean judgedOutlier = false;
            if (h != null) {
                boolean enough = h.requests() >= minSamplesFor(node, baseline, policy);
                boolean unhealthy = h.health().filter("unhealthy"::equals).isPresent();
                failing = unhealthy || (enough && h.errorRate() >= policy.ejectErrorRate());
                judgedFailing = enough || unhealthy;
                if (enough || unhealthy) {
                    double raw =
                            unhealthy ? 0 : (1 - h.errorRate()) * Latencies.latencyFactor(h, medianLatency, policy);
                    score = policy.smoothing() * raw + (1 - policy.smoothing()) * prev.score();
                }
                if (enough && policy.outlierConsecutiveReports() > 0) {
                    Optional<String> why = latencyOutlier(addr, h, input, previous);
                    outlier = why.isPresent();
                    judgedOutlier =
                            outlier || (Latencies.p90(h).isPresent() && Latencies.hasPeers(addr, input, previous));
                    why.ifPresent(w -> outliers.put(addr, w));
                }
            }
            Optional<Instant> ejectedUntil = prev.ejectedUntil();
            int times = prev.timesEjected();
            boolean reportedUnhealthy =
                    h != null && h.health().filter("unhealthy"::equals).isPresent();
            if (ejectedUntil.isPresent() && !now.isBefore(ejectedUntil.get()) && reportedUnhealthy) {
                // Its time is up, but APISIX's health checker says it is down right now: giving it weight would be a
                // decision against the data. It returns with the first report that does not call it unhealthy.
                reasons.add(addr + " stays ejected past its ejection time: reported unhealthy");
            }
            boolean returns = ejectedUntil.isPresent() && !now.isBefore(ejectedUntil.get()) && !reportedUnhealthy;
            if (returns) {
                // Probation: back at the floor, climbing by bounded steps as its score recovers.
                ejectedUntil = Optional.empty();
                score = Math.min(score, policy.weightFloor());
                reasons.add(addr + " returns from ejection at the floor weight");
            }
            // A returning node starts its streaks afresh: what it did while ejected must not eject it again at once.
            int outlierStreak = outlier
                    ? (returns ? 0 : prev.outlierStreak()) + 1
                    : judgedOutlier || returns ? 0 : prev.outlierStreak();
            int failingStreak = failing
                    ? (returns ? 0 : prev.failingStreak()) + 1
                    : judgedFailing || returns ? 0 : prev.failingStreak();
            if (outlier && ejectedUntil.isEmpty()) {
                reasons.add(addr + " is a latency outlier (" + outliers.get(addr) + "), report " + outlierStreak
                        + " of " + policy.outlierConsecutiveReports());
            }
            next.put(
                    addr,
                    new NodeState(Math.max(0, Math.min(1, score)), failingStreak, outlierStreak, ejectedUntil, times));
        }
        eject(next, input, now, outliers, reasons);
        return new UpstreamState(input.health().stamp(), next);
    }

    /**
     * Requests a node needs in one report before its score moves. A node already below its base weight gets less
     * traffic because of us; requiring the full {@code minNodeSamples} would freeze its score exactly there (a slow node
     * would stop going down, a recovered one would climb back only as fast as it collects a full sample), so it needs
     * only {@code lowWeightMinNodeSamples}.
     */
    private static long minSamplesFor(UpstreamNode node, Map<String, Integer> baseline, Policy policy) {
        int base = baseline.getOrDefault(node.address(), node.weight());
        return node.weight() < base
                ? Math.min(policy.minNodeSamples(), policy.lowWeightMinNodeSamples())
                : policy.minNodeSamples();
    }

    /**
     * Whether a node's p90 is at least {@code outlierLatencyFactor} x the median p90 of its peers and at least
     * {@code outlierLatencyMinMs} above it. Peers are the other nodes with a full sample that are not ejected; the
     * comparison is relative to them, so when every node is slow no node is an outlier.
     */
    private static Optional<String> latencyOutlier(
            String addr, NodeHealth h, EvaluationInput input, UpstreamState previous) {
        Policy policy = input.policy();
        Optional<Double> own = Latencies.p90(h);
        if (own.isEmpty()) {
            return Optional.empty();
        }
        List<Double> peers = Latencies.peerP90s(addr, input, previous);
        if (peers.isEmpty()) {
            return Optional.empty();
        }
        double median = Latencies.median(peers);
        boolean outlier = own.get() >= median * policy.outlierLatencyFactor()
                && own.get() - median >= policy.outlierLatencyMinMs();
        return outlier
                ? Optional.of(
                        "p90 " + Reasons.fmtNum(own.get()) + " ms vs peers' median " + Reasons.fmtNum(median) + " ms")
                : Optional.empty();
    }

    private static void eject(
            Map<String, NodeState> nodes,
            EvaluationInput input,
            Instant now,
            Map<String, String> outliers,
            List<String> reasons) {
        Policy policy = input.policy();
        Map<String, Integer> baseline = input.baseline();
        // Only nodes the operator gave traffic take part: an operator's weight 0 is theirs, not ours.
        List<String> active = nodes.keySet().stream()
                .filter(a -> baseline.getOrDefault(a, 0) > 0)
                .toList();
        int cap = (int) Math.floor(policy.maxEjectFraction() * active.size());
        long ejected = active.stream().filter(a -> nodes.get(a).ejected()).count();
        // Failing and latency-outlier nodes share one budget (the cap) and one rule: never eject the last healthy
        // nodes.
        List<String> candidates = active.stream()
                .filter(a -> !nodes.get(a).ejected()
                        && (failingLongEnough(nodes.get(a), policy) || outlierLongEnough(nodes.get(a), policy)))
                .sorted(Comparator.comparingDouble((String a) -> nodes.get(a).score())
                        .thenComparing(a -> a))
                .toList();
        for (String addr : candidates) {
            long healthyLeft = active.stream()
                    .filter(a -> !a.equals(addr)
                            && !nodes.get(a).ejected()
                            && nodes.get(a).failingStreak() == 0
                            && nodes.get(a).outlierStreak() == 0)
                    .count();
            NodeState s = nodes.get(addr);
            boolean failing = failingLongEnough(s, policy);
            String what = failing ? "keeps failing" : "is a latency outlier";
            if (ejected >= cap || healthyLeft == 0) {
                reasons.add(addr + " " + what + " but is not ejected: "
                        + (healthyLeft == 0
                                ? "it would leave no healthy node"
                                : "already " + ejected + " of " + active.size() + " nodes ejected (maxEjectFraction "
                                        + policy.maxEjectFraction() + ")"));
                continue;
            }
            double seconds = Math.min(policy.ejectMaxSeconds(), policy.ejectBaseSeconds() * (s.timesEjected() + 1));
            Instant until = now.plus(Policy.seconds(seconds));
            // The streaks restart: after its ejection the node must misbehave again, on fresh data, to be re-ejected.
            // (An ejected node has no requests, and reports without requests no longer restart a streak.)
            nodes.put(addr, new NodeState(0, 0, 0, Optional.of(until), s.timesEjected() + 1));
            ejected++;
            reasons.add(
                    failing
                            ? addr + " ejected for " + Reasons.fmtNum(seconds) + " s after " + s.failingStreak()
                                    + " failing intervals"
                            : addr + " ejected for " + Reasons.fmtNum(seconds) + " s as a latency outlier for "
                                    + s.outlierStreak() + " reports (" + outliers.getOrDefault(addr, "slow") + ")");
        }
    }

    private static boolean failingLongEnough(NodeState s, Policy policy) {
        return s.failingStreak() >= policy.ejectAfterIntervals();
    }

    private static boolean outlierLongEnough(NodeState s, Policy policy) {
        return policy.outlierConsecutiveReports() > 0 && s.outlierStreak() >= policy.outlierConsecutiveReports();
    }
}
