package org.a6suite.optimizer.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Percentiles;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamNode;
import org.a6suite.optimizer.model.UpstreamRef;

/** Inputs for one policy at a time: four nodes of weight 10, one health report. */
final class PolicyFixtures {

    static final UpstreamRef REF = UpstreamRef.parse("upstreams/1");
    static final List<String> NODES = List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80");
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private PolicyFixtures() {}

    static UpstreamConfig config(List<Integer> weights, Timeouts timeout) {
        List<UpstreamNode> nodes = new ArrayList<>();
        for (int i = 0; i < NODES.size(); i++) {
            String[] hp = NODES.get(i).split(":");
            nodes.add(new UpstreamNode(hp[0], Integer.parseInt(hp[1]), weights.get(i), 0));
        }
        return new UpstreamConfig(REF, 1, nodes, Optional.of(timeout), false);
    }

    static NodeHealth node(long requests, long errors5xx, double p90, double responseP99) {
        return new NodeHealth(
                requests,
                errors5xx,
                0,
                0,
                0,
                new Percentiles(p90 / 2, p90, p90 * 2, p90 * 3),
                new Percentiles(0.4, 0.8, 1.2, 2.0),
                new Percentiles(p90 / 2, p90, responseP99, responseP99 * 1.5),
                Optional.of("healthy"),
                List.of("prometheus"));
    }

    static Map<String, NodeHealth> all(NodeHealth health) {
        Map<String, NodeHealth> m = new LinkedHashMap<>();
        NODES.forEach(n -> m.put(n, health));
        return m;
    }

    static Map<String, NodeHealth> withFourth(NodeHealth others, NodeHealth fourth) {
        Map<String, NodeHealth> m = all(others);
        m.put(NODES.get(3), fourth);
        return m;
    }

    static EvaluationInput input(UpstreamConfig config, Map<String, NodeHealth> health, Policy policy, long stamp) {
        return new EvaluationInput(
                config,
                new HealthMerger.Merged(health, stamp, 1, NOW.toEpochMilli() - 1_000),
                policy,
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                List.of());
    }

    static UpstreamState state(Map<String, NodeState> nodes) {
        return new UpstreamState(0, nodes);
    }
}
