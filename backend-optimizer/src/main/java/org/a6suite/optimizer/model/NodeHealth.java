package org.a6suite.optimizer.model;

import java.util.List;
import java.util.Optional;

/**
 * One upstream node's health over one interval, as reported by one APISIX node, or merged over all of them.
 *
 * @param requests   requests in the interval
 * @param http5xx    responses with status 5xx
 * @param http4xx    responses with status 4xx (client errors: not counted against the node)
 * @param timeouts   requests that timed out
 * @param connect    connection failures
 * @param latency    total latency percentiles (ms)
 * @param connectMs  connect time percentiles (ms)
 * @param responseMs response time percentiles (ms)
 * @param health     {@code healthy}, {@code unhealthy}, {@code mostly_healthy} or {@code mostly_unhealthy}, if known
 * @param sources    where the numbers came from
 */
public record NodeHealth(
        long requests,
        long http5xx,
        long http4xx,
        long timeouts,
        long connect,
        Percentiles latency,
        Percentiles connectMs,
        Percentiles responseMs,
        Optional<String> health,
        List<String> sources) {

    public NodeHealth {
        sources = List.copyOf(sources);
    }

    /** Failures the node is responsible for: 5xx, timeouts and connection failures. */
    public long failures() {
        return http5xx + timeouts + connect;
    }

    /** {@link #failures()} / {@link #requests()}, 0 without requests. */
    public double errorRate() {
        return requests == 0 ? 0 : Math.min(1.0, (double) failures() / requests);
    }

    /** Response-time percentile, falling back to total latency. */
    public Optional<Double> readMs(String percentile) {
        var r = responseMs.get(percentile);
        if (r.isPresent()) {
            return Optional.of(r.getAsDouble());
        }
        var l = latency.get(percentile);
        return l.isPresent() ? Optional.of(l.getAsDouble()) : Optional.empty();
    }
}
