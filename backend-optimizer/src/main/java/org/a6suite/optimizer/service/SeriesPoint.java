package org.a6suite.optimizer.service;

import java.util.Map;
import org.a6suite.optimizer.model.Timeouts;

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
 */
public record SeriesPoint(long atMs, long requests, Double errorRate, Double p50, Double p99, Timeouts timeout,
        Map<String, Integer> weights) {
}
