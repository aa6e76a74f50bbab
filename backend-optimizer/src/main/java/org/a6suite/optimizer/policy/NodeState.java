package org.a6suite.optimizer.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * What the engine remembers of one node between intervals.
 *
 * @param score         smoothed health score in [0, 1] (1 = as good as its peers)
 * @param failingStreak consecutive failing intervals
 * @param outlierStreak consecutive reports in which the node was a latency outlier
 * @param ejectedUntil  set while the node is ejected
 * @param timesEjected  how often it was ejected (ejection time grows with it)
 */
public record NodeState(
        double score, int failingStreak, int outlierStreak, Optional<Instant> ejectedUntil, int timesEjected) {

    public static final NodeState FRESH = new NodeState(1.0, 0, 0, Optional.empty(), 0);

    public boolean ejected() {
        return ejectedUntil.isPresent();
    }
}
