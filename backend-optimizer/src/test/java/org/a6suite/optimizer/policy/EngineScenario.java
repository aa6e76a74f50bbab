package org.a6suite.optimizer.policy;

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
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine over a run of health reports, as the optimizer drives it: one {@link #step} per report interval (5 s on a
 * manual clock), the recommendation applied as the auto-mode writer would (new weights and timeouts, the times of the
 * last changes). Four nodes of weight 10 by default ({@link #NODES}); {@link #threeNodes()} switches to the three nodes
 * of a recorded run on APISIX 3.18 ({@link #RUN}). One instance per test: it holds the upstream's evolving state.
 */
final class EngineScenario {

    static final UpstreamRef REF = UpstreamRef.parse("upstreams/1");
    static final List<String> NODES = List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80");
    static final Map<String, Integer> BASELINE =
            Map.of(NODES.get(0), 10, NODES.get(1), 10, NODES.get(2), 10, NODES.get(3), 10);

    /**
     * The real run on APISIX 3.18: 3 nodes, ~50 rps, one made slow (400 ms upstream latency, which APISIX's buckets
     * 200..500 ms report as p90 450 ms) while its peers answer at p90 2 and 9 ms; reports every 5 s.
     */
    static final List<String> RUN = List.of("172.18.0.5:8080", "172.18.0.6:8080", "172.18.0.7:8080");

    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final PolicyEngine engine = new PolicyEngine(clock);

    private Policy policy = Policy.DEFAULT;
    private UpstreamConfig config = config(10, Optional.of(new Timeouts(6, 6, 6)));
    private UpstreamState state = UpstreamState.INITIAL;
    private long stamp = 0;
    private Optional<Instant> lastWeightChange = Optional.empty();
    private Optional<Instant> lastTimeoutChange = Optional.empty();
    private List<RouteInfo> routes = List.of();
    private Map<String, Integer> baseline = BASELINE;

    static UpstreamConfig config(int weight, Optional<Timeouts> timeout) {
        List<UpstreamNode> nodes = new ArrayList<>();
        for (String n : NODES) {
            String[] hp = n.split(":");
            nodes.add(new UpstreamNode(hp[0], Integer.parseInt(hp[1]), weight, 0));
        }
        return new UpstreamConfig(REF, 1, nodes, timeout, false);
    }

    static NodeHealth node(long requests, long errors5xx, double p50, double p90, double p99) {
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

    static NodeHealth fast() {
        return node(200, 0, 10, 20, 80);
    }

    /** A node APISIX knows (Control API) with no requests in the report, healthy or not. */
    static NodeHealth withoutRequests(String status) {
        return new NodeHealth(
                0,
                0,
                0,
                0,
                0,
                Percentiles.NONE,
                Percentiles.NONE,
                Percentiles.NONE,
                Optional.of(status),
                List.of("control_api"));
    }

    static Map<String, NodeHealth> all(NodeHealth h) {
        Map<String, NodeHealth> m = new HashMap<>();
        NODES.forEach(n -> m.put(n, h));
        return m;
    }

    static Map<String, NodeHealth> withFourth(NodeHealth fourth) {
        Map<String, NodeHealth> m = all(fast());
        m.put(NODES.get(3), fourth);
        return m;
    }

    /** One report of the real run: {@code requests} per node, the third node slow. */
    static Map<String, NodeHealth> runReport(long requests) {
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
    static Map<String, NodeHealth> runEmptyReport() {
        NodeHealth none = withoutRequests("healthy");
        return Map.of(RUN.get(0), none, RUN.get(1), none, RUN.get(2), none);
    }

    /** The default policy with some fields overridden, as the policy API would merge them. */
    static Policy policyWith(String overrides) {
        return PolicyCodec.merge(Policy.DEFAULT, JsonMapper.builder().build().readTree(overrides), "");
    }

    /** The upstream becomes the real run's three nodes, weight 10 each, no timeouts. */
    void threeNodes() {
        baseline = Map.of(RUN.get(0), 10, RUN.get(1), 10, RUN.get(2), 10);
        config = new UpstreamConfig(
                REF,
                1,
                RUN.stream()
                        .map(a -> new UpstreamNode(a.split(":")[0], 8080, 10, 0))
                        .toList(),
                Optional.empty(),
                false);
    }

    /** Starts over: default upstream, no state, no changes made, this policy. */
    void restart(Policy newPolicy) {
        policy = newPolicy;
        state = UpstreamState.INITIAL;
        config = config(10, Optional.of(new Timeouts(6, 6, 6)));
        lastWeightChange = Optional.empty();
        lastTimeoutChange = Optional.empty();
    }

    void policy(Policy newPolicy) {
        policy = newPolicy;
    }

    void routes(List<RouteInfo> newRoutes) {
        routes = newRoutes;
    }

    UpstreamConfig config() {
        return config;
    }

    UpstreamState state() {
        return state;
    }

    NodeState node(String address) {
        return state.node(address);
    }

    long stamp() {
        return stamp;
    }

    /** One interval: the engine sees new health, and (as the auto-mode writer would, if {@code apply}) acts on it. */
    Recommendation step(Map<String, NodeHealth> health, boolean apply) {
        clock.advance(Duration.ofSeconds(5));
        HealthMerger.Merged merged = new HealthMerger.Merged(health, ++stamp, 1, clock.millis());
        // the writer records the operator's weights before the first change: the baseline
        PolicyEngine.Evaluation ev = engine.evaluate(input(merged, baseline), state);
        state = ev.state();
        Recommendation r = ev.recommendation();
        if (apply && r.hasChange()) {
            apply(r);
        }
        return r;
    }

    /** Evaluates without moving the clock, recording or applying anything: what the engine would say now. */
    PolicyEngine.Evaluation evaluate(HealthMerger.Merged merged, Map<String, Integer> withBaseline) {
        return engine.evaluate(input(merged, withBaseline), state);
    }

    private EvaluationInput input(HealthMerger.Merged merged, Map<String, Integer> withBaseline) {
        return new EvaluationInput(config, merged, policy, lastTimeoutChange, lastWeightChange, withBaseline, routes);
    }

    private void apply(Recommendation r) {
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
                REF, config.modRevision() + 1, nodes, r.timeout().isPresent() ? r.timeout() : config.timeout(), false);
    }
}
