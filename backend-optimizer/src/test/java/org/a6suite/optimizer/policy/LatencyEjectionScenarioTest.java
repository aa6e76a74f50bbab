package org.a6suite.optimizer.policy;

import static org.a6suite.optimizer.policy.EngineScenario.NODES;
import static org.a6suite.optimizer.policy.EngineScenario.RUN;
import static org.a6suite.optimizer.policy.EngineScenario.all;
import static org.a6suite.optimizer.policy.EngineScenario.fast;
import static org.a6suite.optimizer.policy.EngineScenario.node;
import static org.a6suite.optimizer.policy.EngineScenario.policyWith;
import static org.a6suite.optimizer.policy.EngineScenario.runEmptyReport;
import static org.a6suite.optimizer.policy.EngineScenario.runReport;
import static org.a6suite.optimizer.policy.EngineScenario.withFourth;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.a6suite.optimizer.model.NodeHealth;
import org.junit.jupiter.api.Test;

/**
 * Latency outliers over a run of reports: ejected after consecutive reports, returned at the floor, re-ejected,
 * capped.
 */
class LatencyEjectionScenarioTest {

    private final EngineScenario scenario = new EngineScenario();

    @Test
    void shouldEjectOneSlowNodeAmongFourAfterTwoReports() {
        NodeHealth slow = node(200, 0, 310, 320, 400);
        Recommendation first = scenario.step(withFourth(slow), true);
        // first report: an outlier once, scored down by one bounded step, not ejected yet
        assertThat(first.weights().get(NODES.get(3))).isEqualTo(7);
        assertThat(scenario.node(NODES.get(3)).ejected()).isFalse();
        assertThat(first.reasons())
                .contains(NODES.get(3) + " is a latency outlier (p90 320 ms vs peers' median 20 ms), report 1 of 2");

        Recommendation second = scenario.step(withFourth(slow), true);
        // second consecutive report: ejected at once (a jump to 0, not a bounded step), the others untouched
        assertThat(second.weights())
                .containsEntry(NODES.get(3), 0)
                .containsEntry(NODES.get(0), 10)
                .containsEntry(NODES.get(1), 10)
                .containsEntry(NODES.get(2), 10);
        assertThat(second.reasons())
                .contains(NODES.get(3) + " ejected for 30 s as a latency outlier for 2 reports"
                        + " (p90 320 ms vs peers' median 20 ms)");
        assertThat(scenario.node(NODES.get(3)).ejected()).isTrue();
    }

    @Test
    void shouldEjectTheRealRunsSlowNodeAtTheSecondReportAsDocumented() {
        scenario.threeNodes();
        Recommendation first = scenario.step(runReport(83), true);
        assertThat(first.reasons())
                .contains(RUN.get(2) + " is a latency outlier (p90 450 ms vs peers' median 5.5 ms), report 1 of 2");
        assertThat(first.weights().get(RUN.get(2))).isEqualTo(7);

        Recommendation second = scenario.step(runReport(83), true);
        // 450 >= 3 x 5.5 and 444.5 >= 50 ms above: an outlier for the second consecutive report, ejected now
        assertThat(second.weights())
                .containsExactlyInAnyOrderEntriesOf(Map.of(RUN.get(0), 10, RUN.get(1), 10, RUN.get(2), 0));
        assertThat(second.reasons())
                .contains(RUN.get(2) + " ejected for 30 s as a latency outlier for 2 reports"
                        + " (p90 450 ms vs peers' median 5.5 ms)");
    }

    @Test
    void shouldEjectTheRealRunsSlowNodeAtTheSecondReportWithDataWhenReportsBetweenHaveNone() {
        // The exporter refreshed every 15 s behind 5 s reports: data, nothing, nothing, data. The reports without
        // data neither step the weights down nor restart the outlier streak (they did: 10 -> 7 -> 5 -> 3 -> 2 -> 1).
        scenario.threeNodes();
        List<Integer> slowWeights = new ArrayList<>();
        List<Recommendation.Status> statuses = new ArrayList<>();
        for (Map<String, NodeHealth> report :
                List.of(runReport(250), runEmptyReport(), runEmptyReport(), runReport(250))) {
            Recommendation r = scenario.step(report, true);
            slowWeights.add(scenario.config().weights().get(RUN.get(2)));
            statuses.add(r.status());
        }
        assertThat(slowWeights).containsExactly(7, 7, 7, 0);
        assertThat(statuses)
                .containsExactly(
                        Recommendation.Status.CHANGE,
                        Recommendation.Status.IDLE,
                        Recommendation.Status.IDLE,
                        Recommendation.Status.CHANGE);
        assertThat(scenario.node(RUN.get(2)).ejected()).isTrue();
    }

    @Test
    void shouldNotEjectANodeThatIsSlowerButNotAnOutlier() {
        // 3 x 20 ms = 60 ms: 55 ms is below the factor; 45 ms vs 10 ms is 4.5 x but only 35 ms above (< 50 ms)
        for (double p90 : new double[] {55, 45}) {
            Map<String, NodeHealth> h = all(p90 == 45 ? node(200, 0, 5, 10, 30) : fast());
            h.put(NODES.get(3), node(200, 0, p90 - 5, p90, p90 + 20));
            for (int i = 0; i < 4; i++) {
                scenario.step(h, true);
            }
            assertThat(scenario.node(NODES.get(3)).ejected()).as("p90 %s", p90).isFalse();
            assertThat(scenario.node(NODES.get(3)).outlierStreak()).isZero();
        }
    }

    @Test
    void shouldReturnALatencyEjectedNodeAtTheFloorAndRecoverItGradually() {
        NodeHealth slow = node(200, 0, 310, 320, 400);
        scenario.step(withFourth(slow), true);
        scenario.step(withFourth(slow), true);
        assertThat(scenario.config().weights().get(NODES.get(3))).isZero();
        Map<String, NodeHealth> without = all(fast());
        without.remove(NODES.get(3));
        for (int i = 0; i < 5; i++) {
            assertThat(scenario.step(without, true).weights().get(NODES.get(3))).isZero();
        }
        scenario.clock.advance(Duration.ofSeconds(5));
        Recommendation back = scenario.step(without, true);
        assertThat(back.weights().get(NODES.get(3))).isEqualTo(1);
        assertThat(back.reasons()).contains(NODES.get(3) + " returns from ejection at the floor weight");
        List<Integer> recovery = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int w = scenario.config().weights().get(NODES.get(3));
            recovery.add(scenario.step(withFourth(node(Math.max(3, 20L * w), 0, 10, 20, 80)), true)
                    .weights()
                    .get(NODES.get(3)));
        }
        assertThat(recovery).isSorted();
        assertThat(recovery.getLast()).isEqualTo(10);
        assertThat(scenario.node(NODES.get(3)).timesEjected()).isEqualTo(1);
    }

    @Test
    void shouldReEjectANodeThatIsStillSlowAfterItsEjection() {
        NodeHealth slow = node(200, 0, 310, 320, 400);
        scenario.step(withFourth(slow), true);
        scenario.step(withFourth(slow), true);
        Map<String, NodeHealth> without = all(fast());
        without.remove(NODES.get(3));
        scenario.clock.advance(Duration.ofSeconds(30));
        scenario.step(without, true);
        assertThat(scenario.config().weights().get(NODES.get(3))).isEqualTo(1);
        // back at weight 1 it sees 4 requests per report, still slow: two fresh outlier reports eject it again, longer
        scenario.step(withFourth(node(4, 0, 310, 320, 400)), true);
        assertThat(scenario.node(NODES.get(3)).ejected()).isFalse();
        Recommendation r = scenario.step(withFourth(node(4, 0, 310, 320, 400)), true);
        assertThat(r.weights().get(NODES.get(3))).isZero();
        assertThat(r.reasons()).anyMatch(s -> s.startsWith(NODES.get(3) + " ejected for 60 s as a latency outlier"));
    }

    @Test
    void shouldEjectNothingWhenAllNodesAreSlow() {
        for (int i = 0; i < 6; i++) {
            Recommendation r = scenario.step(all(node(200, 0, 500, 700, 900)), true);
            assertThat(r.weightsChanged()).isFalse();
        }
        assertThat(NODES).noneMatch(n -> scenario.node(n).ejected());
        assertThat(NODES).allMatch(n -> scenario.node(n).outlierStreak() == 0);
    }

    @Test
    void shouldCapLatencyEjectionsAndNeverEjectTheLastHealthyNodes() {
        // two slow nodes of four: each is an outlier against its peers' median; the cap (0.5 x 4) allows both
        Map<String, NodeHealth> h = all(fast());
        h.put(NODES.get(2), node(200, 0, 310, 320, 400));
        h.put(NODES.get(3), node(200, 0, 310, 320, 400));
        scenario.step(h, true);
        scenario.step(h, true);
        assertThat(scenario.node(NODES.get(2)).ejected()).isTrue();
        assertThat(scenario.node(NODES.get(3)).ejected()).isTrue();

        // with a cap of one node, only the one with the lower score goes; the other healthy nodes always stay
        scenario.restart(policyWith("{\"max_eject_fraction\":0.25}"));
        scenario.step(h, true);
        Recommendation r = scenario.step(h, true);
        assertThat(NODES.stream().filter(n -> scenario.node(n).ejected()).count())
                .isEqualTo(1);
        assertThat(r.reasons())
                .anyMatch(
                        s -> s.contains("is a latency outlier but is not ejected: already 1 of 4" + " nodes ejected"));
        assertThat(scenario.config().weights().get(NODES.get(0))).isEqualTo(10);
        assertThat(scenario.config().weights().get(NODES.get(1))).isEqualTo(10);
    }
}
