package org.a6suite.optimizer.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.RouteInfo;
import org.a6suite.optimizer.model.UpstreamConfig;

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
public record EvaluationInput(UpstreamConfig config, HealthMerger.Merged health, Policy policy,
        Optional<Instant> lastTimeoutChange, Optional<Instant> lastWeightChange, Map<String, Integer> baselineWeights,
        List<RouteInfo> routeOverrides) {

    public EvaluationInput {
        baselineWeights = Map.copyOf(baselineWeights);
        routeOverrides = List.copyOf(routeOverrides);
    }
}
