package org.a6suite.plugin;

import java.util.Optional;

/**
 * The latest upstream health the runner's health reporter assembled for this APISIX node: the same per-node facts it
 * publishes to etcd ({@code docs/health-document.md}), from APISIX's own metrics, its Control API and the runner's
 * outbound calls. Empty when no reporter runs or the upstream had no traffic in the last interval.
 */
@FunctionalInterface
public interface HealthSnapshots {

    HealthSnapshots NONE = upstreamKey -> Optional.empty();

    /**
     * @param upstreamKey the APISIX key relative to its prefix: {@code upstreams/1}, {@code routes/7}, ...
     */
    Optional<UpstreamHealth> upstream(String upstreamKey);
}
