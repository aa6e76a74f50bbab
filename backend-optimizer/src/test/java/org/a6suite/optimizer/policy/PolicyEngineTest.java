package org.a6suite.optimizer.policy;

import static org.a6suite.optimizer.policy.EngineScenario.BASELINE;
import static org.a6suite.optimizer.policy.EngineScenario.NODES;
import static org.a6suite.optimizer.policy.EngineScenario.all;
import static org.a6suite.optimizer.policy.EngineScenario.fast;
import static org.a6suite.optimizer.policy.EngineScenario.node;
import static org.a6suite.optimizer.policy.EngineScenario.policyWith;
import static org.a6suite.optimizer.policy.EngineScenario.withFourth;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.RouteInfo;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamRef;
import org.junit.jupiter.api.Test;

/**
 * The engine as a whole: timeouts within bounds and hysteresis, one step per report, the same answer for the same
 * data, no data, idle and off upstreams, route overrides reported.
 */
class PolicyEngineTest {

    private final EngineScenario scenario = new EngineScenario();

    @Test
    void shouldDeriveTimeoutsFromHealthyNodesWithinPolicyBounds() {
        Recommendation r = scenario.step(withFourth(node(200, 0, 310, 320, 400)), false);
        // read p99 of the healthy nodes' response time: 79 ms x 2 = 0.158 s, clamped to minReadTimeout 1 s
        // connect p99 1.2 ms x 3 = 0.0036 s, clamped to minConnectTimeout 0.5 s
        assertThat(r.timeout()).contains(new Timeouts(0.5, 1, 1));
        assertThat(r.reasons()).anyMatch(s -> s.startsWith("timeout {connect 6 s, send 6 s, read 6 s} -> "));
    }

    @Test
    void shouldSizeTimeoutsToTheNodesWhenAllNodesAreSlow() {
        Recommendation r = scenario.step(all(node(200, 0, 500, 700, 900)), true);
        // all equally slow: no node is worse than its peers, so weights stay; read = 899 ms x 2 = 1.798 s
        assertThat(r.weightsChanged()).isFalse();
        assertThat(r.timeout()).contains(new Timeouts(0.5, 1.798, 1.798));
        assertThat(r.status()).isEqualTo(Recommendation.Status.CHANGE);
    }

    @Test
    void shouldNotChangeTimeoutAgainWithinHysteresisOrMinInterval() {
        scenario.step(all(node(200, 0, 500, 700, 900)), true);
        // +10 %: below the 20 % threshold
        Recommendation small = scenario.step(all(node(200, 0, 550, 770, 990)), true);
        assertThat(small.timeout()).isEmpty();
        // +100 %, but only 10 s after the change (min interval 60 s)
        Recommendation big = scenario.step(all(node(200, 0, 1000, 1400, 1800)), true);
        assertThat(big.timeout()).isEmpty();
        assertThat(big.reasons()).anyMatch(s -> s.contains("timeoutMinIntervalSeconds 60"));
        scenario.clock.advance(Duration.ofSeconds(60));
        Recommendation later = scenario.step(all(node(200, 0, 1000, 1400, 1800)), true);
        assertThat(later.timeout()).contains(new Timeouts(0.5, 3.598, 3.598));
    }

    @Test
    void shouldReportInsufficientDataWithTooFewRequests() {
        Recommendation r = scenario.step(all(node(10, 0, 300, 400, 500)), true);
        assertThat(r.status()).isEqualTo(Recommendation.Status.INSUFFICIENT_DATA);
        assertThat(r.timeout()).isEmpty();
        assertThat(r.weightsChanged()).isFalse();
        assertThat(r.reasons()).anyMatch(s -> s.contains("40 requests < minSamples 100"));
    }

    @Test
    void shouldLeaveAnIdleUpstreamAlone() {
        for (int i = 0; i < 5; i++) {
            Recommendation r = scenario.step(Map.of(), true);
            assertThat(r.status()).isEqualTo(Recommendation.Status.IDLE);
            assertThat(r.hasChange()).isFalse();
        }
        assertThat(scenario.config().weights().values()).containsOnly(10);
    }

    @Test
    void shouldWriteNothingForAnUpstreamNoReportCovers() {
        for (int i = 0; i < 5; i++) {
            scenario.clock.advance(Duration.ofSeconds(5));
            Recommendation r = scenario.evaluate(new HealthMerger.Merged(Map.of(), 0, 0, 0), BASELINE)
                    .recommendation();
            assertThat(r.status()).isEqualTo(Recommendation.Status.NO_DATA);
            assertThat(r.hasChange()).isFalse();
            assertThat(r.reasons()).anyMatch(s -> s.startsWith("no data:"));
        }
    }

    @Test
    void shouldTakeOneStepPerHealthReport() {
        Map<String, NodeHealth> h = withFourth(node(200, 0, 310, 320, 400));
        scenario.step(h, true);
        assertThat(scenario.config().weights().get(NODES.get(3))).isEqualTo(7);
        // evaluated again before the next report arrives: no second step on the same data
        scenario.clock.advance(Duration.ofSeconds(1));
        Recommendation again = scenario.evaluate(
                        new HealthMerger.Merged(h, scenario.stamp(), 1, scenario.clock.millis() - 1000), BASELINE)
                .recommendation();
        assertThat(again.weightsChanged()).isFalse();
        assertThat(again.reasons())
                .contains("weights would change but no new health report since the last weight" + " change");
    }

    @Test
    void shouldGiveTheSameAnswerForTheSameData() {
        Map<String, NodeHealth> h = withFourth(node(200, 0, 310, 320, 400));
        Recommendation first = scenario.step(h, false);
        HealthMerger.Merged same = new HealthMerger.Merged(h, scenario.stamp(), 1, scenario.clock.millis());
        PolicyEngine.Evaluation again = scenario.evaluate(same, Map.of());
        assertThat(again.state()).isEqualTo(scenario.state());
        assertThat(again.recommendation().weights()).isEqualTo(first.weights());
        assertThat(again.recommendation().timeout()).isEqualTo(first.timeout());
    }

    @Test
    void shouldReportRouteTimeoutsWithoutOverridingThem() {
        scenario.routes(List.of(new RouteInfo(
                UpstreamRef.parse("routes/9"),
                Optional.of("1"),
                Optional.empty(),
                Optional.of(new Timeouts(1, 2, 3)))));
        Recommendation r = scenario.step(all(fast()), false);
        assertThat(r.routeOverrides())
                .containsExactly(
                        "routes/9 sets its own timeout {connect 1 s, send 2 s, read 3 s}, which overrides this upstream's"
                                + " for that route");
    }

    @Test
    void shouldComputeNothingWhenModeIsOff() {
        scenario.policy(policyWith("{\"mode\":\"off\"}"));
        Recommendation r = scenario.evaluate(
                        new HealthMerger.Merged(all(fast()), 1, 1, scenario.clock.millis()), Map.of())
                .recommendation();
        assertThat(r.status()).isEqualTo(Recommendation.Status.OFF);
        assertThat(r.hasChange()).isFalse();
    }
}
