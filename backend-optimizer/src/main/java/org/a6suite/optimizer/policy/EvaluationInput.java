package org.a6suite.optimizer.policy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.RouteInfo;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamNode;

/**
 * Everything the engine needs to evaluate one upstream; all of it read from etcd, so any replica computes the same.
 *
 * @param config            the upstream as stored now
 * @param health            merged health of its nodes
 * @param policy            the effective policy
 * @param lastTimeoutChange when the optimizer last changed its timeout (from the decision history)
 * @param lastWeightChange  when the optimizer last changed its weights
 * @param baselineWeights   the operator's weights before the optimizer touched them (empty: current weights)
 * @param routeOverrides    routes that set their own timeout for this upstream
 */
public record EvaluationInput(
        UpstreamConfig config,
        HealthMerger.Merged health,
        Policy policy,
        Optional<Instant> lastTimeoutChange,
        Optional<Instant> lastWeightChange,
        Map<String, Integer> baselineWeights,
        List<RouteInfo> routeOverrides) {

    public EvaluationInput {
        baselineWeights = Map.copyOf(baselineWeights);
        routeOverrides = List.copyOf(routeOverrides);
    }

    /** Each node's base weight: the operator's weight before the optimizer touched it, else its current weight. */
    Map<String, Integer> baseline() {
        Map<String, Integer> base = new LinkedHashMap<>();
        for (UpstreamNode n : config.nodes()) {
            base.put(n.address(), baselineWeights.getOrDefault(n.address(), n.weight()));
        }
        return base;
    }

    /** Whether a change made at {@code lastChange} already acted on the newest health report. */
    boolean actedOnLatestData(Optional<Instant> lastChange) {
        return lastChange.isPresent()
                && health.newestReportMs() > 0
                && !lastChange.get().isBefore(Instant.ofEpochMilli(health.newestReportMs()));
    }
}
