package org.a6suite.optimizer.policy;

import static org.a6suite.optimizer.policy.EngineScenario.NODES;
import static org.a6suite.optimizer.policy.EngineScenario.RUN;
import static org.a6suite.optimizer.policy.EngineScenario.all;
import static org.a6suite.optimizer.policy.EngineScenario.fast;
import static org.a6suite.optimizer.policy.EngineScenario.node;
import static org.a6suite.optimizer.policy.EngineScenario.runEmptyReport;
import static org.a6suite.optimizer.policy.EngineScenario.runReport;
import static org.a6suite.optimizer.policy.EngineScenario.withFourth;
import static org.a6suite.optimizer.policy.EngineScenario.withoutRequests;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.a6suite.optimizer.model.NodeHealth;
import org.junit.jupiter.api.Test;

/**
 * Failing nodes (5xx) over a run of reports: ejected when consistently failing, kept when flapping, never the last
 * healthy ones, kept out while APISIX reports them unhealthy.
 */
class FailureEjectionScenarioTest {

    private final EngineScenario scenario = new EngineScenario();

    @Test
    void shouldEjectAFailingNodeOnReportsWithDataAndNeverReturnItOnReportsWithout() {
        // one node at 60 % 500s, the exporter's data every third report
        scenario.threeNodes();
        Map<String, NodeHealth> failing = new HashMap<>(runReport(250));
        failing.put(RUN.get(2), node(250, 150, 1.2, 2, 4.5));
        List<Integer> weights = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            scenario.step(i % 3 == 0 ? failing : runEmptyReport(), true);
            weights.add(scenario.config().weights().get(RUN.get(2)));
        }
        // scored down at the first and second reports with data, ejected at the third (ejectAfterIntervals 3)
        assertThat(weights).containsExactly(7, 7, 7, 6, 6, 6, 0, 0, 0);
        // its ejection time (30 s) passes while reports carry no data: it stays out until a report has some
        for (int i = 0; i < 6; i++) {
            Recommendation r = scenario.step(runEmptyReport(), true);
            assertThat(r.hasChange()).isFalse();
            assertThat(scenario.config().weights().get(RUN.get(2))).isZero();
        }
        Map<String, NodeHealth> peersOnly = new HashMap<>(runReport(250));
        peersOnly.remove(RUN.get(2));
        Recommendation back = scenario.step(peersOnly, true);
        // the first report with data after its ejection time: back at the floor weight, to be judged on fresh data
        assertThat(back.reasons()).anyMatch(s -> s.startsWith(RUN.get(2) + " weight 0 -> 1"));
        assertThat(scenario.config().weights().get(RUN.get(2))).isEqualTo(1);
    }

    @Test
    void shouldKeepAnEjectedNodeOutWhileApisixReportsItUnhealthy() {
        // The closed loop with one node at 60 % 500s: APISIX's passive check marks it unhealthy and sends it nothing;
        // the optimizer ejects it; when the ejection time is over the Control API still says unhealthy.
        scenario.threeNodes();
        NodeHealth down = withoutRequests("unhealthy");
        Map<String, NodeHealth> report = new HashMap<>(runReport(250));
        report.put(RUN.get(2), down);
        for (int i = 0; i < 3; i++) {
            scenario.step(report, true);
        }
        assertThat(scenario.config().weights().get(RUN.get(2))).isZero();
        for (int i = 0; i < 10; i++) { // 50 s: well past the 30 s ejection
            Recommendation r = scenario.step(report, true);
            assertThat(scenario.config().weights().get(RUN.get(2)))
                    .as(r.reasons().toString())
                    .isZero();
        }
        assertThat(scenario.step(report, true).reasons())
                .contains(RUN.get(2) + " stays ejected past its ejection time: reported unhealthy");
        // healthy again (an active probe succeeded): back at the floor on the next report
        Map<String, NodeHealth> recovered = new HashMap<>(runReport(250));
        recovered.remove(RUN.get(2));
        Recommendation back = scenario.step(recovered, true);
        assertThat(back.reasons()).contains(RUN.get(2) + " returns from ejection at the floor weight");
        assertThat(scenario.config().weights().get(RUN.get(2))).isEqualTo(1);
    }

    @Test
    void shouldNotEjectAFlappingNodeAndKeepItsWeightAboveTheFloor() {
        NodeHealth failing = node(200, 150, 10, 20, 80);
        for (int i = 0; i < 20; i++) {
            Recommendation r = scenario.step(withFourth(i % 2 == 0 ? failing : fast()), true);
            assertThat(r.weights().get(NODES.get(3))).isPositive();
        }
        assertThat(scenario.node(NODES.get(3)).ejected()).isFalse();
        assertThat(scenario.node(NODES.get(3)).timesEjected()).isZero();
        // it is unreliable: it carries less than its base weight
        assertThat(scenario.config().weights().get(NODES.get(3))).isLessThan(10);
    }

    @Test
    void shouldEjectAConsistentlyFailingNodeAndRecoverItGradually() {
        NodeHealth failing = node(200, 200, 10, 20, 80);
        Recommendation r = null;
        for (int i = 0; i < 3; i++) {
            r = scenario.step(withFourth(failing), true);
        }
        assertThat(r.weights().get(NODES.get(3))).isZero();
        assertThat(r.reasons()).anyMatch(s -> s.equals(NODES.get(3) + " ejected for 30 s after 3 failing intervals"));

        // ejected: no traffic reaches it, no report for it
        Map<String, NodeHealth> without = all(fast());
        without.remove(NODES.get(3));
        for (int i = 0; i < 5; i++) {
            assertThat(scenario.step(without, true).weights().get(NODES.get(3))).isZero();
        }
        scenario.clock.advance(Duration.ofSeconds(5));
        r = scenario.step(without, true);
        assertThat(r.weights().get(NODES.get(3))).as(r.reasons().toString()).isEqualTo(1);
        List<Integer> recovery = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            recovery.add(scenario.step(all(fast()), true).weights().get(NODES.get(3)));
        }
        assertThat(recovery).isSorted();
        assertThat(recovery.getLast()).isEqualTo(10);
    }

    @Test
    void shouldNeverEjectTheLastHealthyNodes() {
        NodeHealth failing = node(200, 200, 10, 20, 80);
        for (int i = 0; i < 6; i++) {
            scenario.step(all(failing), true);
        }
        assertThat(NODES).noneMatch(n -> scenario.node(n).ejected());
        assertThat(scenario.config().weights().values()).allMatch(w -> w > 0);
    }

    @Test
    void shouldCapEjectionsAtMaxEjectFraction() {
        NodeHealth failing = node(200, 200, 10, 20, 80);
        Map<String, NodeHealth> h = all(fast());
        h.put(NODES.get(1), failing);
        h.put(NODES.get(2), failing);
        h.put(NODES.get(3), failing);
        for (int i = 0; i < 3; i++) {
            scenario.step(h, true);
        }
        // 4 nodes x 0.5 = at most 2 ejected
        assertThat(NODES.stream().filter(n -> scenario.node(n).ejected()).count())
                .isEqualTo(2);
        assertThat(scenario.config().weights().get(NODES.get(0))).isEqualTo(10);
    }
}
