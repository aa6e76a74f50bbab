package org.a6suite.optimizer.policy;

import static org.a6suite.optimizer.policy.EngineScenario.NODES;
import static org.a6suite.optimizer.policy.EngineScenario.all;
import static org.a6suite.optimizer.policy.EngineScenario.node;
import static org.a6suite.optimizer.policy.EngineScenario.policyWith;
import static org.a6suite.optimizer.policy.EngineScenario.withFourth;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Percentiles;
import org.junit.jupiter.api.Test;

/**
 * Weights over a run of reports: bounded steps down and back up, no writes for jitter or for a split that only
 * scales.
 */
class WeightScenarioTest {

    private final EngineScenario scenario = new EngineScenario();

    @Test
    void shouldMoveWeightAwayFromOneSlowNodeInBoundedStepsWhenLatencyEjectionIsOff() {
        // Latency ejection off: the slow node is only scored down (the behaviour before latency ejection existed).
        scenario.policy(policyWith("{\"outlier_consecutive_reports\":0}"));
        NodeHealth slow = node(200, 0, 310, 320, 400);
        List<Integer> fourthWeights = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Recommendation r = scenario.step(withFourth(slow), true);
            fourthWeights.add(r.weights().get(NODES.get(3)));
            assertThat(r.weights().get(NODES.get(0))).isEqualTo(10);
        }
        // base 10, step at most ceil(10 x 0.25) = 3, floor ceil(10 x 0.1) = 1
        int previous = 10;
        for (int w : fourthWeights) {
            assertThat(previous - w).isBetween(0, 3);
            previous = w;
        }
        assertThat(fourthWeights.get(0)).isEqualTo(7);
        assertThat(fourthWeights.getLast()).isEqualTo(1);
        assertThat(scenario.node(NODES.get(3)).ejected()).isFalse();
    }

    @Test
    void shouldNotWriteWeightsThatOnlyScaleEveryNodeAlike() {
        // the seed's upstream 1: four nodes that do not exist, a few test requests, all failing alike
        NodeHealth down = new NodeHealth(
                2,
                0,
                0,
                0,
                2,
                Percentiles.NONE,
                Percentiles.NONE,
                Percentiles.NONE,
                Optional.of("unhealthy"),
                List.of("prometheus", "control_api"));
        for (int i = 0; i < 6; i++) {
            Recommendation r = scenario.step(all(down), true);
            assertThat(r.weightsChanged()).as(r.reasons().toString()).isFalse();
        }
        assertThat(scenario.config().weights().values()).containsOnly(10);
        assertThat(scenario.step(all(down), true).reasons())
                .anyMatch(s -> s.startsWith("weights would scale together")
                        && s.endsWith("the same traffic split, so nothing is written"));
    }

    @Test
    void shouldNotMoveWeightsForJitterBelowTheLatencyTolerance() {
        // healthy nodes 10 ms apart under CPU load: 5 ms and 15 ms p90 is "3 x the median" but only 10 ms slower
        for (int i = 0; i < 12; i++) {
            Map<String, NodeHealth> h = new HashMap<>();
            for (int n = 0; n < NODES.size(); n++) {
                double p90 = (n + i) % 2 == 0 ? 5 : 15;
                h.put(NODES.get(n), node(200, 0, p90 / 2, p90, p90 + 10));
            }
            Recommendation r = scenario.step(h, true);
            assertThat(r.weightsChanged()).as(r.reasons().toString()).isFalse();
        }
        assertThat(scenario.config().weights().values()).containsOnly(10);
        assertThat(NODES).allMatch(n -> scenario.node(n).score() == 1.0);
    }

    @Test
    void shouldKeepLoweringADegradedNodeWhenItsLowWeightBringsFewRequests() {
        // Latency ejection off, so only the score acts. At low weight the slow node gets far fewer than minNodeSamples
        // (20) requests per report, yet its score keeps falling: it is below its base weight.
        scenario.policy(policyWith("{\"outlier_consecutive_reports\":0}"));
        List<Integer> weights = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int w = scenario.config().weights().get(NODES.get(3));
            // traffic proportional to weight: 200 requests at weight 10 -> 20 x weight
            NodeHealth slow = node(w == 10 ? 200 : Math.max(3, 2L * w), 0, 310, 320, 400);
            weights.add(scenario.step(withFourth(slow), true).weights().get(NODES.get(3)));
        }
        assertThat(weights).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(weights.getLast()).isEqualTo(1);
        // it converged on its raw score, (20 ms median + 20 ms tolerance) / 320 ms = 0.125, instead of freezing at the
        // first weight whose traffic fell under 20 requests (weight 7: 14 requests)
        assertThat(scenario.node(NODES.get(3)).score()).isCloseTo(0.125, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void shouldStillIgnoreAFewRequestsOfANodeAtItsBaseWeight() {
        // the relaxation applies only below the base weight: a node at full weight with 5 requests is not scored
        Recommendation r = scenario.step(withFourth(node(5, 0, 310, 320, 400)), true);
        assertThat(r.weights().get(NODES.get(3))).isEqualTo(10);
        assertThat(scenario.node(NODES.get(3)).score()).isEqualTo(1.0);
    }

    @Test
    void shouldBringARecoveredLowWeightNodeBackGradually() {
        scenario.policy(policyWith("{\"outlier_consecutive_reports\":0}"));
        for (int i = 0; i < 12; i++) {
            scenario.step(withFourth(node(200, 0, 310, 320, 400)), true);
        }
        assertThat(scenario.config().weights().get(NODES.get(3))).isEqualTo(1);
        // recovered: fast again, but at weight 1 it sees only a handful of requests per report
        List<Integer> recovery = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int w = scenario.config().weights().get(NODES.get(3));
            recovery.add(scenario.step(withFourth(node(Math.max(3, 2L * w), 0, 10, 20, 80)), true)
                    .weights()
                    .get(NODES.get(3)));
        }
        assertThat(recovery).isSorted();
        // gradual: never more than one step (3) per report, and back at its base weight
        int previous = 1;
        for (int w : recovery) {
            assertThat(w - previous).isBetween(0, 3);
            previous = w;
        }
        assertThat(recovery.getLast()).isEqualTo(10);
    }
}
