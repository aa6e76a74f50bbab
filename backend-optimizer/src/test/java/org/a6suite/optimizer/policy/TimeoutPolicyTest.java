package org.a6suite.optimizer.policy;

import static org.a6suite.optimizer.policy.PolicyFixtures.NOW;
import static org.a6suite.optimizer.policy.PolicyFixtures.all;
import static org.a6suite.optimizer.policy.PolicyFixtures.config;
import static org.a6suite.optimizer.policy.PolicyFixtures.input;
import static org.a6suite.optimizer.policy.PolicyFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Timeouts;
import org.junit.jupiter.api.Test;

class TimeoutPolicyTest {

    private static final Timeouts CURRENT = new Timeouts(6, 6, 6);

    private final TimeoutPolicy policy = new TimeoutPolicy();

    private Optional<Timeouts> recommend(Map<String, NodeHealth> health, List<String> reasons) {
        EvaluationInput input = input(config(List.of(10, 10, 10, 10), CURRENT), health, Policy.DEFAULT, 1);
        UpstreamState state = UpstreamState.INITIAL;
        Recommendation.Inputs inputs = new Recommendation.Inputs(
                health.values().stream().mapToLong(NodeHealth::requests).sum(), 0, Map.of());
        return policy.recommend(input, state, inputs, CURRENT, NOW, reasons);
    }

    @Test
    void shouldDeriveReadAndSendFromTheSlowestResponsePercentileTimesTheFactor() {
        Map<String, NodeHealth> health = all(node(200, 0, 20, 400));
        health.put(PolicyFixtures.NODES.get(2), node(200, 0, 20, 800));

        Optional<Timeouts> proposed = recommend(health, new ArrayList<>());

        // the slowest p99 response 800 ms x readFactor 2.0 = 1.6 s; connect p99 1.2 ms x 3.0 is below the 0.5 s minimum
        assertThat(proposed).contains(new Timeouts(Policy.DEFAULT.minConnectTimeout(), 1.6, 1.6));
    }

    @Test
    void shouldKeepTheTimeoutsWhenTooFewRequestsWereSeen() {
        List<String> reasons = new ArrayList<>();

        assertThat(recommend(all(node(10, 0, 20, 400)), reasons)).isEmpty();
        assertThat(reasons).anyMatch(r -> r.contains("< minSamples"));
    }

    @Test
    void shouldKeepTheTimeoutsWithinTheHysteresis() {
        // 2.9 s x 2.0 = 5.8 s: within 20 % of the current 6 s read timeout; connect already at its minimum would
        // still move, so the connect percentile is made to match too.
        NodeHealth steady = new NodeHealth(
                200,
                0,
                0,
                0,
                0,
                new org.a6suite.optimizer.model.Percentiles(10, 20, 30, 40),
                new org.a6suite.optimizer.model.Percentiles(1000, 1500, 2000, 2500),
                new org.a6suite.optimizer.model.Percentiles(1000, 2000, 2900, 3000),
                Optional.of("healthy"),
                List.of("prometheus"));

        assertThat(recommend(all(steady), new ArrayList<>())).isEmpty();
    }
}
