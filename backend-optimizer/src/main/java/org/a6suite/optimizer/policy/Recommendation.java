package org.a6suite.optimizer.policy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamRef;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The engine's verdict for one upstream at one moment.
 *
 * @param ref            the upstream
 * @param status         the overall outcome
 * @param currentTimeout the timeout in force (nginx's 60 s defaults when the upstream has none)
 * @param timeout        the new timeout, if it should change
 * @param currentWeights node weights in force
 * @param weights        recommended node weights (all nodes)
 * @param reasons        why, in words an operator reads on the dashboard
 * @param routeOverrides routes whose own timeout overrides this upstream's (reported, never changed)
 * @param inputs         the numbers the decision was made from
 */
public record Recommendation(
        UpstreamRef ref,
        Status status,
        Timeouts currentTimeout,
        Optional<Timeouts> timeout,
        Map<String, Integer> currentWeights,
        Map<String, Integer> weights,
        List<String> reasons,
        List<String> routeOverrides,
        Inputs inputs) {

    public Recommendation {
        currentWeights = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(currentWeights));
        weights = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(weights));
        reasons = List.copyOf(reasons);
        routeOverrides = List.copyOf(routeOverrides);
    }

    /** The outcome of an evaluation. */
    public enum Status {
        /** The policy's mode is off. */
        OFF,
        /** Fresh health reports cover the upstream but count no requests: nothing to decide on, nothing changes. */
        IDLE,
        /** No fresh health report covers the upstream: unknown, nothing changes. */
        NO_DATA,
        /** Traffic, but fewer requests than the policy's minimum. */
        INSUFFICIENT_DATA,
        /** Enough data; nothing to change. */
        NO_CHANGE,
        /** A timeout and/or weights should change. */
        CHANGE
    }

    public boolean weightsChanged() {
        return !weights.equals(currentWeights);
    }

    public boolean hasChange() {
        return timeout.isPresent() || weightsChanged();
    }

    /**
     * The numbers behind a recommendation; stored in etcd inside each {@code Decision}, so snake_case there too.
     *
     * @param requests  requests over all nodes in the interval
     * @param errorRate failures / requests over all nodes
     * @param nodes     per node: merged health and score
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Inputs(long requests, double errorRate, Map<String, NodeInput> nodes) {
        public static final Inputs NONE = new Inputs(0, 0, Map.of());

        public Inputs {
            nodes = Map.copyOf(nodes);
        }
    }

    /** Per-node inputs; {@code health} is null when no reporter knew it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record NodeInput(
            long requests,
            double errorRate,
            Double latencyP50,
            Double latencyP99,
            Double readMs,
            Double connectMs,
            String health,
            double score,
            boolean ejected) {}
}
