package org.a6suite.optimizer.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamNode;

/**
 * Node weights from node scores: target {@code base x score} (never below {@code base x weightFloor}, at least 1),
 * reached in steps of at most {@code base x maxWeightStep}; an ejected node gets 0 at once; an operator's weight 0 is
 * kept. No change when the weights would only scale together ({@link #sameSplit}), when no health report is newer than
 * the last change, or (except for ejections) within {@code weightMinIntervalSeconds} of it. No I/O.
 */
final class WeightPolicy {

    /** The weights to recommend, or the current ones when nothing should change (the reasons say why). */
    Map<String, Integer> recommend(EvaluationInput input, UpstreamState state, Instant now, List<String> reasons) {
        Policy policy = input.policy();
        UpstreamConfig config = input.config();
        Map<String, Integer> baseline = input.baseline();
        Map<String, Integer> result = new LinkedHashMap<>();
        boolean changed = false;
        boolean ejectionChange = false;
        for (UpstreamNode node : config.nodes()) {
            String addr = node.address();
            int current = node.weight();
            int base = baseline.getOrDefault(addr, current);
            NodeState s = state.node(addr);
            int next;
            if (base == 0) {
                next = current; // the operator's own choice
            } else if (s.ejected()) {
                next = 0;
                ejectionChange |= current != 0;
            } else {
                int floor = Math.max(1, (int) Math.ceil(base * policy.weightFloor()));
                int step = Math.max(1, (int) Math.ceil(base * policy.maxWeightStep()));
                int target = Math.max(floor, Math.min(base, (int) Math.round(base * s.score())));
                next = current < target ? Math.min(target, current + step) : Math.max(target, current - step);
                next = Math.max(next, Math.min(floor, target));
            }
            changed |= next != current;
            result.put(addr, next);
        }
        if (!changed) {
            return config.weights();
        }
        if (sameSplit(config.weights(), result)) {
            // roundrobin sends node i weight_i / sum(weights) of the requests: scaling every weight by one factor
            // (every node scored down alike, e.g. all failing) changes no request's destination, only etcd, APISIX's
            // watchers and the history.
            reasons.add("weights would scale together " + config.weights().values() + " -> " + result.values()
                    + ": the same traffic split, so nothing is written");
            return config.weights();
        }
        Optional<Instant> last = input.lastWeightChange();
        if (input.actedOnLatestData(last)) {
            // One bounded step per health report: without new data since the last change, the next step waits.
            reasons.add("weights would change but no new health report since the last weight change");
            return config.weights();
        }
        if (!ejectionChange
                && last.isPresent()
                && Duration.between(last.get(), now).compareTo(policy.weightMinInterval()) < 0) {
            reasons.add("weights would change but last changed "
                    + Duration.between(last.get(), now).toSeconds() + " s ago (weightMinIntervalSeconds "
                    + Reasons.fmtNum(policy.weightMinIntervalSeconds()) + ")");
            return config.weights();
        }
        result.forEach((addr, w) -> {
            int cur = config.weights().get(addr);
            if (w != cur) {
                reasons.add(String.format(
                        Locale.ROOT,
                        "%s weight %d -> %d (score %.2f, base %d)",
                        addr,
                        cur,
                        w,
                        state.node(addr).score(),
                        baseline.getOrDefault(addr, cur)));
            }
        });
        return result;
    }

    /**
     * Whether two weight maps over the same nodes send the same share of requests to every node: {@code a_i / sum(a)
     * == b_i / sum(b)} for all i, compared exactly as {@code a_i x sum(b) == b_i x sum(a)}.
     */
    static boolean sameSplit(Map<String, Integer> a, Map<String, Integer> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        long sumA = a.values().stream().mapToLong(Integer::longValue).sum();
        long sumB = b.values().stream().mapToLong(Integer::longValue).sum();
        if (sumA == 0 || sumB == 0) {
            return sumA == sumB;
        }
        for (Map.Entry<String, Integer> e : a.entrySet()) {
            if ((long) e.getValue() * sumB != (long) b.get(e.getKey()) * sumA) {
                return false;
            }
        }
        return true;
    }
}
