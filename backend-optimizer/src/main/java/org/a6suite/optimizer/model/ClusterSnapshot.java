package org.a6suite.optimizer.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable view of everything the optimizer read from etcd at one moment.
 *
 * @param upstreams every upstream, stand-alone and inline, by ref
 * @param routes    routes and services with their upstream references and route-level timeouts
 * @param health    health documents by APISIX node id
 */
public record ClusterSnapshot(
        Map<UpstreamRef, UpstreamConfig> upstreams,
        Map<UpstreamRef, RouteInfo> routes,
        Map<String, HealthDocument> health,
        Map<UpstreamRef, List<RouteInfo>> timeoutOverrides) {

    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(Map.of(), Map.of(), Map.of());

    public ClusterSnapshot(
            Map<UpstreamRef, UpstreamConfig> upstreams,
            Map<UpstreamRef, RouteInfo> routes,
            Map<String, HealthDocument> health) {
        this(upstreams, routes, health, null);
    }

    public ClusterSnapshot {
        upstreams = Map.copyOf(upstreams);
        routes = Map.copyOf(routes);
        health = Map.copyOf(health);
        // Indexed once per snapshot: looking routes up per upstream would cost upstreams x routes per pass.
        timeoutOverrides = index(upstreams, routes);
    }

    private static Map<UpstreamRef, List<RouteInfo>> index(
            Map<UpstreamRef, UpstreamConfig> upstreams, Map<UpstreamRef, RouteInfo> routes) {
        Map<UpstreamRef, List<RouteInfo>> index = new java.util.HashMap<>();
        for (RouteInfo r : routes.values()) {
            if (!r.ref().kind().equals("routes") || r.timeout().isEmpty()) {
                continue;
            }
            UpstreamRef target;
            if (upstreams.containsKey(r.ref())) {
                target = r.ref(); // inline upstream
            } else if (r.upstreamId().isPresent()) {
                target = new UpstreamRef("upstreams", r.upstreamId().get());
            } else if (r.serviceId().isPresent()) {
                UpstreamRef service = new UpstreamRef("services", r.serviceId().get());
                RouteInfo s = routes.get(service);
                target = s != null && s.upstreamId().isPresent() && !upstreams.containsKey(service)
                        ? new UpstreamRef("upstreams", s.upstreamId().get())
                        : service;
            } else {
                continue;
            }
            index.computeIfAbsent(target, k -> new java.util.ArrayList<>()).add(r);
        }
        index.replaceAll((k, v) ->
                v.stream().sorted((a, b) -> a.ref().compareTo(b.ref())).toList());
        return Map.copyOf(index);
    }

    public Optional<UpstreamConfig> upstream(UpstreamRef ref) {
        return Optional.ofNullable(upstreams.get(ref));
    }

    /**
     * Routes whose own {@code timeout} overrides this upstream's: routes that use it by {@code upstream_id}, directly or
     * through their service, and for an inline route upstream, the route itself.
     */
    public List<RouteInfo> routesOverridingTimeout(UpstreamRef ref) {
        return timeoutOverrides.getOrDefault(ref, List.of());
    }
}
