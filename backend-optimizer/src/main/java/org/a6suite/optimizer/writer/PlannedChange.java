package org.a6suite.optimizer.writer;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.policy.Recommendation;

/**
 * A change computed from the upstream as it is stored now.
 *
 * @param timeout    new timeout, or empty to keep it
 * @param weights    new weights of the nodes to change (others kept)
 * @param reasons    why
 * @param inputs     numbers behind it
 * @param kind       {@code apply} or {@code rollback}
 * @param actor      {@code auto}, {@code api} or {@code guard}
 * @param rollbackOf the decision undone, for rollbacks
 */
public record PlannedChange(
        Optional<Timeouts> timeout,
        Map<String, Integer> weights,
        List<String> reasons,
        Recommendation.Inputs inputs,
        String kind,
        String actor,
        String rollbackOf) {

    public PlannedChange {
        weights = Map.copyOf(weights);
        reasons = List.copyOf(reasons);
    }
}
