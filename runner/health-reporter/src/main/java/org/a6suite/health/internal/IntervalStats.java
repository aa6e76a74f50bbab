package org.a6suite.health.internal;

import java.util.Optional;

/**
 * One source's numbers for one node over one interval (deltas, not totals).
 *
 * @param latency absent when the source saw no timed request
 */
public record IntervalStats(
        long requests, long http5xx, long http4xx, long timeout, long connect, Optional<Percentiles> latency) {

    public static final IntervalStats EMPTY = new IntervalStats(0, 0, 0, 0, 0, Optional.empty());
}
