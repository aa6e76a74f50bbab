package org.a6suite.optimizer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Percentiles;
import org.a6suite.optimizer.model.RouteInfo;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamNode;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.testing.MutableClock;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {

    private static final UpstreamRef REF = UpstreamRef.parse("upstreams/1");
    private static final List<String> NODES = List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80");

    private static final Map<String, Integer> BASELINE =
            Map.of(NODES.get(0), 10, NODES.get(1), 10, NODES.get(2), 10, NODES.get(3), 10);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PolicyEngine engine = new PolicyEngine(clock);
    private Policy policy = Policy.DEFAULT;

    private UpstreamConfig config = config(10, Optional.of(new Timeouts(6, 6, 6)));
    private UpstreamState state = UpstreamState.INITIAL;
    private long stamp = 0;
    private Optional<Instant> lastWeightChange = Optional.empty();
    private Optional<Instant> lastTimeoutChange = Optional.empty();
    private List<RouteInfo> routes = List.of();
    private Map<String, Integer> baseline = BASELINE;

    private static UpstreamConfig config(int weight, Optional<Timeouts> timeout) {
        List<UpstreamNode> nodes = new ArrayList<>();
        for (String n : NODES) {
            String[] hp = n.split(":");
            nodes.add(new UpstreamNode(hp[0], Integer.parseInt(hp[1]), weight, 0));
        }
        return new UpstreamConfig(REF, 1, nodes, timeout, false);
    }

    private static NodeHealth node(long requests, long errors5xx, double p50, double p90, double p99) {
        return new NodeHealth(
                requests,
                errors5xx,
                0,
                0,
                0,
                new Percentiles(p50, p90, p99, p99 * 1.5),
                new Percentiles(0.4, 0.8, 1.2, 2.0),
                new Percentiles(p50 - 1, p90 - 1, p99 - 1, p99 * 1.5),
                Optional.of("healthy"),
                List.of("prometheus"));
    }

    private static NodeHealth fast() {
        return node(200, 0, 10, 20, 80);
    }

    /** One interval: the engine sees new health, and (as the auto-mode writer would) its weights are applied. */
    private Recommendation step(Map<String, NodeHealth> health, boolean apply) {
        clock.advance(Duration.ofSeconds(5));
        HealthMerger.Merged merged = new HealthMerger.Merged(health, ++stamp, 1, clock.millis());
        // the writer records the operator's weights before the first change: the baseline
        EvaluationInput input =
                new EvaluationInput(config, merged, policy, lastTimeoutChange, lastWeightChange, baseline, routes);
        PolicyEngine.Evaluation ev = engine.evaluate(input, state);
        state = ev.state();
        Recommendation r = ev.recommendation();
        if (apply && r.hasChange()) {
            List<UpstreamNode> nodes = config.nodes().stream()
                    .map(n -> new UpstreamNode(n.host(), n.port(), r.weights().get(n.address()), n.priority()))
                    .toList();
            if (r.weightsChanged()) {
                lastWeightChange = Optional.of(clock.instant());
            }
            if (r.timeout().isPresent()) {
                lastTimeoutChange = Optional.of(clock.instant());
            }
            config = new UpstreamConfig(
                    REF,
                    config.modRevision() + 1,
                    nodes,
                    r.timeout().isPresent() ? r.timeout() : config.timeout(),
                    false);
        }
        return r;
    }

    private static Map<String, NodeHealth> all(NodeHealth h) {
        Map<String, NodeHealth> m = new HashMap<>();
        NODES.forEach(n -> m.put(n, h));
        return m;
    }

    private static Map<String, NodeHealth> withFourth(NodeHealth fourth) {
        Map<String, NodeHealth> m = all(fast());
        m.put(NODES.get(3), fourth);
        return m;
    }

    @Test
    void shouldMoveWeightAwayFromOneSlowNodeInBoundedStepsWhenLatencyEjectionIsOff() {
        // Latency ejection off: the slow node is only scored down (the behaviour before latency ejection existed).
        policy = with("{\"outlier_consecutive_reports\":0}");
        NodeHealth slow = node(200, 0, 310, 320, 400);
        List<Integer> fourthWeights = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Recommendation r = step(withFourth(slow), true);
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
        assertThat(state.node(NODES.get(3)).ejected()).isFalse();
    }

    @Test
    void shouldEjectOneSlowNodeAmongFourAfterTwoReports() {
        NodeHealth slow = node(200, 0, 310, 320, 400);
        Recommendation first = step(withFourth(slow), true);
        // first report: an outlier once, scored down by one bounded step, not ejected yet
        assertThat(first.weights().get(NODES.get(3))).isEqualTo(7);
        assertThat(state.node(NODES.get(3)).ejected()).isFalse();
        assertThat(first.reasons())
                .contains(NODES.get(3) + " is a latency outlier (p90 320 ms vs peers' median 20 ms), report 1 of 2");

        Recommendation second = step(withFourth(slow), true);
        // second consecutive report: ejected at once (a jump to 0, not a bounded step), the others untouched
        assertThat(second.weights())
                .containsEntry(NODES.get(3), 0)
                .containsEntry(NODES.get(0), 10)
                .containsEntry(NODES.get(1), 10)
                .containsEntry(NODES.get(2), 10);
        assertThat(second.reasons())
                .contains(NODES.get(3) + " ejected for 30 s as a latency outlier for 2 reports"
                        + " (p90 320 ms vs peers' median 20 ms)");
        assertThat(state.node(NODES.get(3)).ejected()).isTrue();
    }

    // ---- the real run on APISIX 3.18: 3 nodes, ~50 rps, one made slow (400 ms upstream latency, which
    // APISIX's buckets 200..500 ms report as p90 450 ms) while its peers answer at p90 2 and 9 ms; reports every 5 s.

    private static final List<String> RUN = List.of("172.18.0.5:8080", "172.18.0.6:8080", "172.18.0.7:8080");

    private UpstreamConfig threeNodes() {
        baseline = Map.of(RUN.get(0), 10, RUN.get(1), 10, RUN.get(2), 10);
        return new UpstreamConfig(
                REF,
                1,
                RUN.stream()
                        .map(a -> new UpstreamNode(a.split(":")[0], 8080, 10, 0))
                        .toList(),
                Optional.empty(),
                false);
    }

    /** One report of the run: {@code requests} per node, the third node slow. */
    private static Map<String, NodeHealth> runReport(long requests) {
        return Map.of(
                RUN.get(0),
                node(requests, 0, 1.2, 2, 4.5),
                RUN.get(1),
                node(requests, 0, 4, 9, 19),
                RUN.get(2),
                node(requests, 0, 330, 450, 495));
    }

    /**
     * What the reporter published on APISIX when the exporter had not refreshed: the upstream with its nodes (known
     * from the Control API) but no requests.
     */
    private static Map<String, NodeHealth> runEmptyReport() {
        NodeHealth none = new NodeHealth(
                0,
                0,
                0,
                0,
                0,
                Percentiles.NONE,
                Percentiles.NONE,
                Percentiles.NONE,
                Optional.of("healthy"),
                List.of("control_api"));
        return Map.of(RUN.get(0), none, RUN.get(1), none, RUN.get(2), none);
    }

    @Test
    void shouldEjectTheRealRunsSlowNodeAtTheSecondReportAsDocumented() {
        config = threeNodes();
        Recommendation first = step(runReport(83), true);
        assertThat(first.reasons())
                .contains(RUN.get(2) + " is a latency outlier (p90 450 ms vs peers' median 5.5 ms), report 1 of 2");
        assertThat(first.weights().get(RUN.get(2))).isEqualTo(7);

        Recommendation second = step(runReport(83), true);
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
        config = threeNodes();
        List<Integer> slowWeights = new ArrayList<>();
        List<Recommendation.Status> statuses = new ArrayList<>();
        for (Map<String, NodeHealth> report :
                List.of(runReport(250), runEmptyReport(), runEmptyReport(), runReport(250))) {
            Recommendation r = step(report, true);
            slowWeights.add(config.weights().get(RUN.get(2)));
            statuses.add(r.status());
        }
        assertThat(slowWeights).containsExactly(7, 7, 7, 0);
        assertThat(statuses)
                .containsExactly(
                        Recommendation.Status.CHANGE,
                        Recommendation.Status.IDLE,
                        Recommendation.Status.IDLE,
                        Recommendation.Status.CHANGE);
        assertThat(state.node(RUN.get(2)).ejected()).isTrue();
    }

    @Test
    void shouldEjectAFailingNodeOnReportsWithDataAndNeverReturnItOnReportsWithout() {
        // one node at 60 % 500s, the exporter's data every third report
        config = threeNodes();
        Map<String, NodeHealth> failing = new HashMap<>(runReport(250));
        failing.put(RUN.get(2), node(250, 150, 1.2, 2, 4.5));
        List<Integer> weights = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            step(i % 3 == 0 ? failing : runEmptyReport(), true);
            weights.add(config.weights().get(RUN.get(2)));
        }
        // scored down at the first and second reports with data, ejected at the third (ejectAfterIntervals 3)
        assertThat(weights).containsExactly(7, 7, 7, 6, 6, 6, 0, 0, 0);
        // its ejection time (30 s) passes while reports carry no data: it stays out until a report has some
        for (int i = 0; i < 6; i++) {
            Recommendation r = step(runEmptyReport(), true);
            assertThat(r.hasChange()).isFalse();
            assertThat(config.weights().get(RUN.get(2))).isZero();
        }
        Map<String, NodeHealth> peersOnly = new HashMap<>(runReport(250));
        peersOnly.remove(RUN.get(2));
        Recommendation back = step(peersOnly, true);
        // the first report with data after its ejection time: back at the floor weight, to be judged on fresh data
        assertThat(back.reasons()).anyMatch(s -> s.startsWith(RUN.get(2) + " weight 0 -> 1"));
        assertThat(config.weights().get(RUN.get(2))).isEqualTo(1);
    }

    @Test
    void shouldKeepAnEjectedNodeOutWhileApisixReportsItUnhealthy() {
        // The closed loop with one node at 60 % 500s: APISIX's passive check marks it unhealthy and sends it nothing;
        // the optimizer ejects it; when the ejection time is over the Control API still says unhealthy.
        config = threeNodes();
        NodeHealth down = new NodeHealth(
                0,
                0,
                0,
                0,
                0,
                Percentiles.NONE,
                Percentiles.NONE,
                Percentiles.NONE,
                Optional.of("unhealthy"),
                List.of("control_api"));
        Map<String, NodeHealth> report = new HashMap<>(runReport(250));
        report.put(RUN.get(2), down);
        for (int i = 0; i < 3; i++) {
            step(report, true);
        }
        assertThat(config.weights().get(RUN.get(2))).isZero();
        for (int i = 0; i < 10; i++) { // 50 s: well past the 30 s ejection
            Recommendation r = step(report, true);
            assertThat(config.weights().get(RUN.get(2)))
                    .as(r.reasons().toString())
                    .isZero();
        }
        assertThat(step(report, true).reasons())
                .contains(RUN.get(2) + " stays ejected past its ejection time: reported unhealthy");
        // healthy again (an active probe succeeded): back at the floor on the next report
        Map<String, NodeHealth> recovered = new HashMap<>(runReport(250));
        recovered.remove(RUN.get(2));
        Recommendation back = step(recovered, true);
        assertThat(back.reasons()).contains(RUN.get(2) + " returns from ejection at the floor weight");
        assertThat(config.weights().get(RUN.get(2))).isEqualTo(1);
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
            Recommendation r = step(all(down), true);
            assertThat(r.weightsChanged()).as(r.reasons().toString()).isFalse();
        }
        assertThat(config.weights().values()).containsOnly(10);
        assertThat(step(all(down), true).reasons())
                .anyMatch(s -> s.startsWith("weights would scale together")
                        && s.endsWith("the same traffic split, so nothing is written"));
    }

    @Test
    void shouldTellTheSameSplitFromADifferentOne() {
        assertThat(WeightPolicy.sameSplit(Map.of("a", 100, "b", 100), Map.of("a", 75, "b", 75)))
                .isTrue();
        assertThat(WeightPolicy.sameSplit(Map.of("a", 10, "b", 5), Map.of("a", 4, "b", 2)))
                .isTrue();
        assertThat(WeightPolicy.sameSplit(Map.of("a", 10, "b", 10), Map.of("a", 10, "b", 7)))
                .isFalse();
        assertThat(WeightPolicy.sameSplit(Map.of("a", 10, "b", 10), Map.of("a", 10, "b", 0)))
                .isFalse();
        assertThat(WeightPolicy.sameSplit(Map.of("a", 0, "b", 0), Map.of("a", 0, "b", 0)))
                .isTrue();
    }

    @Test
    void shouldWriteNothingForAnUpstreamNoReportCovers() {
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(5));
            EvaluationInput input = new EvaluationInput(
                    config,
                    new HealthMerger.Merged(Map.of(), 0, 0, 0),
                    policy,
                    lastTimeoutChange,
                    lastWeightChange,
                    BASELINE,
                    routes);
            Recommendation r = engine.evaluate(input, state).recommendation();
            assertThat(r.status()).isEqualTo(Recommendation.Status.NO_DATA);
            assertThat(r.hasChange()).isFalse();
            assertThat(r.reasons()).anyMatch(s -> s.startsWith("no data:"));
        }
    }

    @Test
    void shouldNotEjectANodeThatIsSlowerButNotAnOutlier() {
        // 3 x 20 ms = 60 ms: 55 ms is below the factor; 45 ms vs 10 ms is 4.5 x but only 35 ms above (< 50 ms)
        for (double p90 : new double[] {55, 45}) {
            Map<String, NodeHealth> h = all(p90 == 45 ? node(200, 0, 5, 10, 30) : fast());
            h.put(NODES.get(3), node(200, 0, p90 - 5, p90, p90 + 20));
            for (int i = 0; i < 4; i++) {
                step(h, true);
            }
            assertThat(state.node(NODES.get(3)).ejected()).as("p90 %s", p90).isFalse();
            assertThat(state.node(NODES.get(3)).outlierStreak()).isZero();
        }
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
            Recommendation r = step(h, true);
            assertThat(r.weightsChanged()).as(r.reasons().toString()).isFalse();
        }
        assertThat(config.weights().values()).containsOnly(10);
        assertThat(NODES).allMatch(n -> state.node(n).score() == 1.0);
    }

    @Test
    void shouldKeepLoweringADegradedNodeWhenItsLowWeightBringsFewRequests() {
        // Latency ejection off, so only the score acts. At low weight the slow node gets far fewer than minNodeSamples
        // (20) requests per report, yet its score keeps falling: it is below its base weight.
        policy = with("{\"outlier_consecutive_reports\":0}");
        List<Integer> weights = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int w = config.weights().get(NODES.get(3));
            // traffic proportional to weight: 200 requests at weight 10 -> 20 x weight
            NodeHealth slow = node(w == 10 ? 200 : Math.max(3, 2L * w), 0, 310, 320, 400);
            weights.add(step(withFourth(slow), true).weights().get(NODES.get(3)));
        }
        assertThat(weights).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(weights.getLast()).isEqualTo(1);
        // it converged on its raw score, (20 ms median + 20 ms tolerance) / 320 ms = 0.125, instead of freezing at the
        // first weight whose traffic fell under 20 requests (weight 7: 14 requests)
        assertThat(state.node(NODES.get(3)).score()).isCloseTo(0.125, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void shouldStillIgnoreAFewRequestsOfANodeAtItsBaseWeight() {
        // the relaxation applies only below the base weight: a node at full weight with 5 requests is not scored
        Recommendation r = step(withFourth(node(5, 0, 310, 320, 400)), true);
        assertThat(r.weights().get(NODES.get(3))).isEqualTo(10);
        assertThat(state.node(NODES.get(3)).score()).isEqualTo(1.0);
    }

    @Test
    void shouldBringARecoveredLowWeightNodeBackGradually() {
        policy = with("{\"outlier_consecutive_reports\":0}");
        for (int i = 0; i < 12; i++) {
            step(withFourth(node(200, 0, 310, 320, 400)), true);
        }
        assertThat(config.weights().get(NODES.get(3))).isEqualTo(1);
        // recovered: fast again, but at weight 1 it sees only a handful of requests per report
        List<Integer> recovery = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int w = config.weights().get(NODES.get(3));
            recovery.add(step(withFourth(node(Math.max(3, 2L * w), 0, 10, 20, 80)), true)
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

    @Test
    void shouldReturnALatencyEjectedNodeAtTheFloorAndRecoverItGradually() {
        NodeHealth slow = node(200, 0, 310, 320, 400);
        step(withFourth(slow), true);
        step(withFourth(slow), true);
        assertThat(config.weights().get(NODES.get(3))).isZero();
        Map<String, NodeHealth> without = all(fast());
        without.remove(NODES.get(3));
        for (int i = 0; i < 5; i++) {
            assertThat(step(without, true).weights().get(NODES.get(3))).isZero();
        }
        clock.advance(Duration.ofSeconds(5));
        Recommendation back = step(without, true);
        assertThat(back.weights().get(NODES.get(3))).isEqualTo(1);
        assertThat(back.reasons()).contains(NODES.get(3) + " returns from ejection at the floor weight");
        List<Integer> recovery = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int w = config.weights().get(NODES.get(3));
            recovery.add(step(withFourth(node(Math.max(3, 20L * w), 0, 10, 20, 80)), true)
                    .weights()
                    .get(NODES.get(3)));
        }
        assertThat(recovery).isSorted();
        assertThat(recovery.getLast()).isEqualTo(10);
        assertThat(state.node(NODES.get(3)).timesEjected()).isEqualTo(1);
    }

    @Test
    void shouldReEjectANodeThatIsStillSlowAfterItsEjection() {
        NodeHealth slow = node(200, 0, 310, 320, 400);
        step(withFourth(slow), true);
        step(withFourth(slow), true);
        Map<String, NodeHealth> without = all(fast());
        without.remove(NODES.get(3));
        clock.advance(Duration.ofSeconds(30));
        step(without, true);
        assertThat(config.weights().get(NODES.get(3))).isEqualTo(1);
        // back at weight 1 it sees 4 requests per report, still slow: two fresh outlier reports eject it again, longer
        step(withFourth(node(4, 0, 310, 320, 400)), true);
        assertThat(state.node(NODES.get(3)).ejected()).isFalse();
        Recommendation r = step(withFourth(node(4, 0, 310, 320, 400)), true);
        assertThat(r.weights().get(NODES.get(3))).isZero();
        assertThat(r.reasons()).anyMatch(s -> s.startsWith(NODES.get(3) + " ejected for 60 s as a latency outlier"));
    }

    @Test
    void shouldEjectNothingWhenAllNodesAreSlow() {
        for (int i = 0; i < 6; i++) {
            Recommendation r = step(all(node(200, 0, 500, 700, 900)), true);
            assertThat(r.weightsChanged()).isFalse();
        }
        assertThat(NODES).noneMatch(n -> state.node(n).ejected());
        assertThat(NODES).allMatch(n -> state.node(n).outlierStreak() == 0);
    }

    @Test
    void shouldCapLatencyEjectionsAndNeverEjectTheLastHealthyNodes() {
        // two slow nodes of four: each is an outlier against its peers' median; the cap (0.5 x 4) allows both
        Map<String, NodeHealth> h = all(fast());
        h.put(NODES.get(2), node(200, 0, 310, 320, 400));
        h.put(NODES.get(3), node(200, 0, 310, 320, 400));
        step(h, true);
        step(h, true);
        assertThat(state.node(NODES.get(2)).ejected()).isTrue();
        assertThat(state.node(NODES.get(3)).ejected()).isTrue();

        // with a cap of one node, only the one with the lower score goes; the other healthy nodes always stay
        state = UpstreamState.INITIAL;
        config = config(10, Optional.of(new Timeouts(6, 6, 6)));
        lastWeightChange = Optional.empty();
        policy = with("{\"max_eject_fraction\":0.25}");
        step(h, true);
        Recommendation r = step(h, true);
        assertThat(NODES.stream().filter(n -> state.node(n).ejected()).count()).isEqualTo(1);
        assertThat(r.reasons())
                .anyMatch(
                        s -> s.contains("is a latency outlier but is not ejected: already 1 of 4" + " nodes ejected"));
        assertThat(config.weights().get(NODES.get(0))).isEqualTo(10);
        assertThat(config.weights().get(NODES.get(1))).isEqualTo(10);
    }

    @Test
    void shouldDeriveTimeoutsFromHealthyNodesWithinPolicyBounds() {
        Recommendation r = step(withFourth(node(200, 0, 310, 320, 400)), false);
        // read p99 of the healthy nodes' response time: 79 ms x 2 = 0.158 s, clamped to minReadTimeout 1 s
        // connect p99 1.2 ms x 3 = 0.0036 s, clamped to minConnectTimeout 0.5 s
        assertThat(r.timeout()).contains(new Timeouts(0.5, 1, 1));
        assertThat(r.reasons()).anyMatch(s -> s.startsWith("timeout {connect 6 s, send 6 s, read 6 s} -> "));
    }

    @Test
    void shouldSizeTimeoutsToTheNodesWhenAllNodesAreSlow() {
        Recommendation r = step(all(node(200, 0, 500, 700, 900)), true);
        // all equally slow: no node is worse than its peers, so weights stay; read = 899 ms x 2 = 1.798 s
        assertThat(r.weightsChanged()).isFalse();
        assertThat(r.timeout()).contains(new Timeouts(0.5, 1.798, 1.798));
        assertThat(r.status()).isEqualTo(Recommendation.Status.CHANGE);
    }

    @Test
    void shouldNotChangeTimeoutAgainWithinHysteresisOrMinInterval() {
        step(all(node(200, 0, 500, 700, 900)), true);
        // +10 %: below the 20 % threshold
        Recommendation small = step(all(node(200, 0, 550, 770, 990)), true);
        assertThat(small.timeout()).isEmpty();
        // +100 %, but only 10 s after the change (min interval 60 s)
        Recommendation big = step(all(node(200, 0, 1000, 1400, 1800)), true);
        assertThat(big.timeout()).isEmpty();
        assertThat(big.reasons()).anyMatch(s -> s.contains("timeoutMinIntervalSeconds 60"));
        clock.advance(Duration.ofSeconds(60));
        Recommendation later = step(all(node(200, 0, 1000, 1400, 1800)), true);
        assertThat(later.timeout()).contains(new Timeouts(0.5, 3.598, 3.598));
    }

    @Test
    void shouldReportInsufficientDataWithTooFewRequests() {
        Recommendation r = step(all(node(10, 0, 300, 400, 500)), true);
        assertThat(r.status()).isEqualTo(Recommendation.Status.INSUFFICIENT_DATA);
        assertThat(r.timeout()).isEmpty();
        assertThat(r.weightsChanged()).isFalse();
        assertThat(r.reasons()).anyMatch(s -> s.contains("40 requests < minSamples 100"));
    }

    @Test
    void shouldLeaveAnIdleUpstreamAlone() {
        for (int i = 0; i < 5; i++) {
            Recommendation r = step(Map.of(), true);
            assertThat(r.status()).isEqualTo(Recommendation.Status.IDLE);
            assertThat(r.hasChange()).isFalse();
        }
        assertThat(config.weights().values()).containsOnly(10);
    }

    @Test
    void shouldNotEjectAFlappingNodeAndKeepItsWeightAboveTheFloor() {
        NodeHealth failing = node(200, 150, 10, 20, 80);
        for (int i = 0; i < 20; i++) {
            Recommendation r = step(withFourth(i % 2 == 0 ? failing : fast()), true);
            assertThat(r.weights().get(NODES.get(3))).isPositive();
        }
        assertThat(state.node(NODES.get(3)).ejected()).isFalse();
        assertThat(state.node(NODES.get(3)).timesEjected()).isZero();
        // it is unreliable: it carries less than its base weight
        assertThat(config.weights().get(NODES.get(3))).isLessThan(10);
    }

    @Test
    void shouldEjectAConsistentlyFailingNodeAndRecoverItGradually() {
        NodeHealth failing = node(200, 200, 10, 20, 80);
        Recommendation r = null;
        for (int i = 0; i < 3; i++) {
            r = step(withFourth(failing), true);
        }
        assertThat(r.weights().get(NODES.get(3))).isZero();
        assertThat(r.reasons()).anyMatch(s -> s.equals(NODES.get(3) + " ejected for 30 s after 3 failing intervals"));

        // ejected: no traffic reaches it, no report for it
        Map<String, NodeHealth> without = all(fast());
        without.remove(NODES.get(3));
        for (int i = 0; i < 5; i++) {
            assertThat(step(without, true).weights().get(NODES.get(3))).isZero();
        }
        clock.advance(Duration.ofSeconds(5));
        r = step(without, true);
        assertThat(r.weights().get(NODES.get(3))).as(r.reasons().toString()).isEqualTo(1);
        List<Integer> recovery = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            recovery.add(step(all(fast()), true).weights().get(NODES.get(3)));
        }
        assertThat(recovery).isSorted();
        assertThat(recovery.getLast()).isEqualTo(10);
    }

    @Test
    void shouldNeverEjectTheLastHealthyNodes() {
        NodeHealth failing = node(200, 200, 10, 20, 80);
        for (int i = 0; i < 6; i++) {
            step(all(failing), true);
        }
        assertThat(NODES).noneMatch(n -> state.node(n).ejected());
        assertThat(config.weights().values()).allMatch(w -> w > 0);
    }

    @Test
    void shouldCapEjectionsAtMaxEjectFraction() {
        NodeHealth failing = node(200, 200, 10, 20, 80);
        Map<String, NodeHealth> h = all(fast());
        h.put(NODES.get(1), failing);
        h.put(NODES.get(2), failing);
        h.put(NODES.get(3), failing);
        for (int i = 0; i < 3; i++) {
            step(h, true);
        }
        // 4 nodes x 0.5 = at most 2 ejected
        assertThat(NODES.stream().filter(n -> state.node(n).ejected()).count()).isEqualTo(2);
        assertThat(config.weights().get(NODES.get(0))).isEqualTo(10);
    }

    @Test
    void shouldTakeOneStepPerHealthReport() {
        Map<String, NodeHealth> h = withFourth(node(200, 0, 310, 320, 400));
        step(h, true);
        assertThat(config.weights().get(NODES.get(3))).isEqualTo(7);
        // evaluated again before the next report arrives: no second step on the same data
        clock.advance(Duration.ofSeconds(1));
        EvaluationInput input = new EvaluationInput(
                config,
                new HealthMerger.Merged(h, stamp, 1, clock.millis() - 1000),
                policy,
                lastTimeoutChange,
                lastWeightChange,
                BASELINE,
                routes);
        Recommendation again = engine.evaluate(input, state).recommendation();
        assertThat(again.weightsChanged()).isFalse();
        assertThat(again.reasons())
                .contains("weights would change but no new health report since the last weight" + " change");
    }

    @Test
    void shouldGiveTheSameAnswerForTheSameData() {
        Map<String, NodeHealth> h = withFourth(node(200, 0, 310, 320, 400));
        Recommendation first = step(h, false);
        HealthMerger.Merged same = new HealthMerger.Merged(h, stamp, 1, clock.millis());
        EvaluationInput input =
                new EvaluationInput(config, same, policy, lastTimeoutChange, lastWeightChange, Map.of(), routes);
        PolicyEngine.Evaluation again = engine.evaluate(input, state);
        assertThat(again.state()).isEqualTo(state);
        assertThat(again.recommendation().weights()).isEqualTo(first.weights());
        assertThat(again.recommendation().timeout()).isEqualTo(first.timeout());
    }

    @Test
    void shouldReportRouteTimeoutsWithoutOverridingThem() {
        routes = List.of(new RouteInfo(
                UpstreamRef.parse("routes/9"), Optional.of("1"), Optional.empty(), Optional.of(new Timeouts(1, 2, 3))));
        Recommendation r = step(all(fast()), false);
        assertThat(r.routeOverrides())
                .containsExactly(
                        "routes/9 sets its own timeout {connect 1 s, send 2 s, read 3 s}, which overrides this upstream's"
                                + " for that route");
    }

    @Test
    void shouldComputeNothingWhenModeIsOff() {
        Policy off = new PolicyStoreTestSupport().withMode(Mode.OFF);
        EvaluationInput input = new EvaluationInput(
                config,
                new HealthMerger.Merged(all(fast()), 1, 1, clock.millis()),
                off,
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                List.of());
        Recommendation r = engine.evaluate(input, state).recommendation();
        assertThat(r.status()).isEqualTo(Recommendation.Status.OFF);
        assertThat(r.hasChange()).isFalse();
    }

    private static Policy with(String overrides) {
        return PolicyCodec.merge(
                Policy.DEFAULT,
                tools.jackson.databind.json.JsonMapper.builder().build().readTree(overrides),
                "");
    }

    /** Copies the default with another mode. */
    static final class PolicyStoreTestSupport {
        Policy withMode(Mode mode) {
            return with("{\"mode\":\"" + mode.name().toLowerCase(java.util.Locale.ROOT) + "\"}");
        }
    }
}
