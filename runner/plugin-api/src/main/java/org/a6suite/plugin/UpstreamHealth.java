package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One upstream's health in the last reporting interval, per node ({@code host:port}, or a bare IP when APISIX's
 * metrics could not be matched to a port).
 *
 * @param upstreamKey the APISIX key relative to its prefix, e.g. {@code upstreams/1}
 * @param generatedAt when the reporter built the snapshot
 * @param nodes       per node: requests and errors in the interval, and the Control API's status when known
 */
public record UpstreamHealth(String upstreamKey, Instant generatedAt, Map<String, NodeHealth> nodes) {

    public UpstreamHealth {
        requireNonNull(upstreamKey, "upstreamKey");
        requireNonNull(generatedAt, "generatedAt");
        nodes = Map.copyOf(nodes);
    }

    /**
     * One node in the interval.
     *
     * @param requests requests answered or failed
     * @param errors   5xx, timeouts and connection errors (4xx are the client's)
     * @param status   APISIX's health-check status ({@code healthy}, {@code unhealthy}, {@code mostly_healthy},
     *                 {@code mostly_unhealthy}) when the upstream has checks
     */
    public record NodeHealth(long requests, long errors, Optional<String> status) {
        public NodeHealth {
            requireNonNull(status, "status");
        }

        public double errorRate() {
            return requests == 0 ? 0 : (double) errors / requests;
        }

        /** Failing: marked unhealthy by APISIX, or at least {@code minRequests} with an error rate >= the threshold. */
        public boolean failing(double errorRateThreshold, long minRequests) {
            if (status.filter(s -> s.equals("unhealthy") || s.equals("mostly_unhealthy"))
                    .isPresent()) {
                return true;
            }
            return requests >= minRequests && errorRate() >= errorRateThreshold;
        }
    }

    /** True when there is at least one node and every node is {@link NodeHealth#failing failing}. */
    public boolean allNodesFailing(double errorRateThreshold, long minRequests) {
        return !nodes.isEmpty() && nodes.values().stream().allMatch(n -> n.failing(errorRateThreshold, minRequests));
    }
}
