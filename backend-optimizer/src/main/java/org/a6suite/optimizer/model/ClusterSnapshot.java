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
public record ClusterSnapshot(Map<UpstreamRef, UpstreamConfig> upstreams, Map<UpstreamRef, RouteInfo> routes,
        Map<String, HealthDocument> health) {

    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(Map.of(), Map.of(), Map.of());

    public ClusterSnapshot {
        upstreams = Map.copyOf(upstreams);
        routes = Map.copyOf(routes);
        health = Map.copyOf(health);
    }

    public Optional<UpstreamConfig> upstream(UpstreamRef ref) {
        return Optional.ofNullable(upstreams.get(ref));
    }

    /**
     * Routes whose own {@code timeout} overrides this upstream's: routes that use it by {@code upstream_id}, directly or
     * through their service, and for an inline route upstream, the route itself.
     */
    public List<RouteInfo> routesOverridingTimeout(UpstreamRef ref) {
        return routes.values().stream()
                .filter(r -> r.ref().kind().equals("routes") && r.timeout().isPresent())
                .filter(r -> usesUpstream(r, ref))
                .sorted((a, b) -> a.ref().compareTo(b.ref()))
                .toList();
    }

    private boolean usesUpstream(RouteInfo route, UpstreamRef ref) {
        if (route.ref().equals(ref)) {
            return true;
        }
        if (ref.kind().equals("upstreams")) {
            if (route.upstreamId().filter(ref.id()::equals).isPresent()) {
                return true;
            }
            return route.upstreamId().isEmpty() && route.serviceId()
                    .map(s -> routes.get(new UpstreamRef("services", s)))
                    .flatMap(RouteInfo::upstreamId).filter(ref.id()::equals).isPresent();
        }
        if (ref.kind().equals("services")) {
            return route.upstreamId().isEmpty() && !upstreams.containsKey(route.ref())
                    && route.serviceId().filter(ref.id()::equals).isPresent();
        }
        return false;
    }
}
