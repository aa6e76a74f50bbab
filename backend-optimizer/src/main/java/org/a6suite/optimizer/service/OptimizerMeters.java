package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.a6suite.optimizer.policy.Recommendation;

/**
 * Per-node gauges of the optimizer's latest evaluation, for dashboards (the optimizer's decisions and rollbacks are
 * counted where they are written, in the writer):
 *
 * <ul>
 *   <li>{@code a6_optimizer_node_weight{upstream,node}}: the weight in force;</li>
 *   <li>{@code a6_optimizer_node_recommended_weight{upstream,node}}: the weight the policy recommends;</li>
 *   <li>{@code a6_optimizer_node_score{upstream,node}}: the node's score in that evaluation.</li>
 * </ul>
 *
 * <p>Each pass replaces all rows, so nodes and upstreams that went away stop being exported.
 */
final class OptimizerMeters {

    private final MultiGauge weights;
    private final MultiGauge recommended;
    private final MultiGauge scores;

    OptimizerMeters(MeterRegistry meters) {
        requireNonNull(meters, "meters");
        this.weights = MultiGauge.builder("a6.optimizer.node.weight")
                .description("Node weight in force, by upstream and node")
                .register(meters);
        this.recommended = MultiGauge.builder("a6.optimizer.node.recommended.weight")
                .description("Node weight the policy recommends, by upstream and node")
                .register(meters);
        this.scores = MultiGauge.builder("a6.optimizer.node.score")
                .description("Node score of the latest evaluation, by upstream and node")
                .register(meters);
    }

    /** Replaces every row with the nodes of {@code latest}. */
    void update(Collection<Recommendation> latest) {
        weights.register(rows(latest, Recommendation::currentWeights), true);
        recommended.register(rows(latest, Recommendation::weights), true);
        List<MultiGauge.Row<?>> scoreRows = new ArrayList<>();
        for (Recommendation rec : latest) {
            rec.inputs()
                    .nodes()
                    .forEach((node, input) -> scoreRows.add(MultiGauge.Row.of(tags(rec, node), input.score())));
        }
        scores.register(scoreRows, true);
    }

    private static List<MultiGauge.Row<?>> rows(
            Collection<Recommendation> latest, Function<Recommendation, Map<String, Integer>> weightsOf) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Recommendation rec : latest) {
            weightsOf.apply(rec).forEach((node, weight) -> rows.add(MultiGauge.Row.of(tags(rec, node), weight)));
        }
        return rows;
    }

    private static Tags tags(Recommendation rec, String node) {
        return Tags.of("upstream", rec.ref().key(), "node", node);
    }
}
