package org.a6suite.optimizer.service;

import java.util.Map;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.policy.Recommendation;

/**
 * One dashboard point: an upstream at one evaluation.
 *
 * @param atMs      when (epoch ms)
 * @param requests  requests in the last interval
 * @param errorRate failures / requests, null without requests (unknown, not 0 %)
 * @param p50       request-weighted mean of the nodes' p50 latency (ms), null without data
 * @param p99       same for p99
 * @param timeout   the timeout in force
 * @param weights   the weights in force
 * @param nodes     per node: the numbers the engine evaluated (requests, error rate, p50/p99, score, ejected); empty
 *                  when not recorded
 */
public record SeriesPoint(
        long atMs,
        long requests,
        Double errorRate,
        Double p50,
        Double p99,
        Timeouts timeout,
        Map<String, Integer> weights,
        Map<String, Recommendation.NodeInput> nodes) {

    public SeriesPoint {
        nodes = nodes == null ? Map.of() : Map.copyOf(nodes);
    }

    /** A point without per-node numbers. */
    public SeriesPoint(
            long atMs,
            long requests,
            Double errorRate,
            Double p50,
            Double p99,
            Timeouts timeout,
            Map<String, Integer> weights) {
        this(atMs, requests, errorRate, p50, p99, timeout, weights, Map.of());
    }
}
