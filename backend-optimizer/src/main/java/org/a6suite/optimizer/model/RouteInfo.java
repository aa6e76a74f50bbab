package org.a6suite.optimizer.model;

import java.util.Optional;

/**
 * What the optimizer needs of an APISIX route or service: which upstream it uses and whether it sets its own timeout
 * (routes only: a route-level {@code timeout} overrides its upstream's).
 */
public record RouteInfo(
        UpstreamRef ref, Optional<String> upstreamId, Optional<String> serviceId, Optional<Timeouts> timeout) {}
