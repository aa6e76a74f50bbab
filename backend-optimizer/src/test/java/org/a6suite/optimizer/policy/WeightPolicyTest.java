package org.a6suite.optimizer.policy;

import static org.a6suite.optimizer.policy.PolicyFixtures.NODES;
import static org.a6suite.optimizer.policy.PolicyFixtures.NOW;
import static org.a6suite.optimizer.policy.PolicyFixtures.all;
import static org.a6suite.optimizer.policy.PolicyFixtures.config;
import static org.a6suite.optimizer.policy.PolicyFixtures.input;
import static org.a6suite.optimizer.policy.PolicyFixtures.node;
import static org.a6suite.optimizer.policy.PolicyFixtures.state;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.Timeouts;
import org.junit.jupiter.api.Test;

class WeightPolicyTest {

    private final WeightPolicy policy = new WeightPolicy();
    private final EvaluationInput input =
            input(config(List.of(10, 10, 10, 10), new Timeouts(6, 6, 6)), all(node(200, 0, 20, 80)), Policy.DEFAULT, 1);

    @Test
    void shouldMoveALowScoringNodeTowardItsTargetByAtMostOneStep() {
        List<String> reasons = new ArrayList<>();
        UpstreamState state = state(Map.of(NODES.get(3), new NodeState(0.2, 0, 0, Optional.empty(), 0)));

        Map<String, Integer> weights = policy.recommend(input, state, NOW, reasons);

        // target max(floor 1, 10 x 0.2) = 2; step at most ceil(10 x 0.25) = 3
        assertThat(weights).containsEntry(NODES.get(3), 7).containsEntry(NODES.get(0), 10);
        assertThat(reasons).anyMatch(r -> r.startsWith(NODES.get(3) + " weight 10 -> 7"));
    }

    @Test
    void shouldDropAnEjectedNodeToZeroAtOnce() {
        UpstreamState state = state(Map.of(NODES.get(3), new NodeState(0, 0, 0, Optional.of(NOW.plusSeconds(30)), 1)));

        assertThat(policy.recommend(input, state, NOW, new ArrayList<>())).containsEntry(NODES.get(3), 0);
    }

    @Test
    void shouldKeepTheWeightsWhenTheyWouldOnlyScaleTogether() {
        List<String> reasons = new ArrayList<>();
        NodeState half = new NodeState(0.5, 0, 0, Optional.empty(), 0);
        UpstreamState state =
                state(Map.of(NODES.get(0), half, NODES.get(1), half, NODES.get(2), half, NODES.get(3), half));

        assertThat(policy.recommend(input, state, NOW, reasons))
                .isEqualTo(input.config().weights());
        assertThat(reasons).anyMatch(r -> r.contains("the same traffic split"));
    }

    @Test
    void shouldTellSplitsApartOnlyWhenSharesDiffer() {
        assertThat(WeightPolicy.sameSplit(Map.of("a", 10, "b", 5), Map.of("a", 4, "b", 2)))
                .isTrue();
        assertThat(WeightPolicy.sameSplit(Map.of("a", 10, "b", 10), Map.of("a", 10, "b", 7)))
                .isFalse();
        assertThat(WeightPolicy.sameSplit(Map.of("a", 100, "b", 100), Map.of("a", 75, "b", 75)))
                .isTrue();
        assertThat(WeightPolicy.sameSplit(Map.of("a", 10, "b", 10), Map.of("a", 10, "b", 0)))
                .isFalse();
        assertThat(WeightPolicy.sameSplit(Map.of("a", 0, "b", 0), Map.of("a", 0, "b", 0)))
                .isTrue();
    }
}
