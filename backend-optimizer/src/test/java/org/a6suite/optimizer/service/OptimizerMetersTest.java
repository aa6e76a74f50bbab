package org.a6suite.optimizer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Recommendation;
import org.junit.jupiter.api.Test;

class OptimizerMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OptimizerMeters meters = new OptimizerMeters(registry);

    @Test
    void shouldExportWeightsInForceRecommendedWeightsAndScoresPerNode() {
        meters.update(List.of(recommendation(
                "upstreams/1",
                Map.of("a:80", 100, "b:80", 100),
                Map.of("a:80", 100, "b:80", 40),
                Map.of("a:80", 0.9, "b:80", 0.3))));

        assertThat(gauge("a6.optimizer.node.weight", "upstreams/1", "b:80")).isEqualTo(100);
        assertThat(gauge("a6.optimizer.node.recommended.weight", "upstreams/1", "b:80"))
                .isEqualTo(40);
        assertThat(gauge("a6.optimizer.node.score", "upstreams/1", "a:80")).isEqualTo(0.9);
    }

    @Test
    void shouldStopExportingNodesThatWentAway() {
        meters.update(List.of(
                recommendation("upstreams/1", Map.of("a:80", 1, "b:80", 1), Map.of("a:80", 1, "b:80", 1), Map.of())));
        meters.update(List.of(recommendation("routes/7", Map.of("c:80", 5), Map.of("c:80", 5), Map.of())));

        assertThat(registry.find("a6.optimizer.node.weight")
                        .tag("upstream", "upstreams/1")
                        .gauges())
                .isEmpty();
        assertThat(gauge("a6.optimizer.node.weight", "routes/7", "c:80")).isEqualTo(5);
    }

    private double gauge(String name, String upstream, String node) {
        return registry.get(name)
                .tag("upstream", upstream)
                .tag("node", node)
                .gauge()
                .value();
    }

    private static Recommendation recommendation(
            String ref, Map<String, Integer> current, Map<String, Integer> recommended, Map<String, Double> scores) {
        Map<String, Recommendation.NodeInput> nodes = new java.util.HashMap<>();
        scores.forEach((node, score) ->
                nodes.put(node, new Recommendation.NodeInput(10, 0, null, null, null, null, "healthy", score, false)));
        return new Recommendation(
                UpstreamRef.parse(ref),
                Recommendation.Status.CHANGE,
                Timeouts.NGINX_DEFAULTS,
                Optional.empty(),
                current,
                recommended,
                List.of(),
                List.of(),
                new Recommendation.Inputs(10, 0, nodes));
    }
}
