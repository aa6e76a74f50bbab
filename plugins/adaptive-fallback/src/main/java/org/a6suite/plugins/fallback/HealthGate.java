package org.a6suite.plugins.fallback;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When the runner's health reporter says every node of the route's upstream is failing, pre-req answers with the
 * fallback even while the route's own breaker is still closed: the reporter sees APISIX's own per-node metrics and
 * health checks (and other plugins' calls), so a backend that fails for other routes is avoided here too.
 *
 * @param enabled      default true (has no effect when the runner has no health reporter)
 * @param errorRate    a node is failing at or above this error rate in the last interval; default 0.5
 * @param minRequests  ...with at least this many requests in the interval; default 10 (APISIX's own
 *                     {@code unhealthy} health-check status counts regardless)
 * @param maxAge       snapshots older than this are ignored; default 30 s
 */
public record HealthGate(boolean enabled, double errorRate, int minRequests, Duration maxAge) {

    public static final HealthGate DEFAULT = new HealthGate(true, 0.5, 10, Duration.ofSeconds(30));

    public HealthGate {
        if (!(errorRate > 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("health.error_rate: " + errorRate + " (expected: 0 < rate <= 1)");
        }
        if (minRequests < 1) {
            throw new IllegalArgumentException("health.min_requests: " + minRequests + " (expected: >= 1)");
        }
        requireNonNull(maxAge, "maxAge");
    }
}
