package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-route state, keyed by APISIX's {@code conf_type#conf_id} (so a route's pre-req and post-resp entries share
 * one breaker and cache). A configuration with different breaker, cache or key settings replaces the state: that is
 * a route update. Routes come from APISIX's configuration, so the map is bounded by it.
 */
public final class RouteRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(RouteRegistry.class);

    private final Ticker ticker;
    private final ConcurrentMap<String, RouteState> routes = new ConcurrentHashMap<>();

    public RouteRegistry(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
    }

    public RouteState state(String routeId, FallbackConfig config) {
        RouteState current = routes.get(routeId);
        if (current != null && current.matches(config)) {
            return current;
        }
        return routes.compute(routeId, (id, existing) -> {
            if (existing != null && existing.matches(config)) {
                return existing;
            }
            if (existing != null) {
                LOG.info(
                        "adaptive-fallback: {} breaker/cache settings changed, state reset (give the pre-req and "
                                + "post-resp entries of a route the same value)",
                        id);
            }
            return new RouteState(id, config, ticker);
        });
    }

    public Optional<RouteState> find(String routeId) {
        return Optional.ofNullable(routes.get(routeId));
    }
}
