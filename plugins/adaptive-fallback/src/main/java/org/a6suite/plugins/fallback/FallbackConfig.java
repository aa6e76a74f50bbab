package org.a6suite.plugins.fallback;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.resilience.BreakerConfig;

/**
 * A route's validated {@code adaptive-fallback} configuration, parsed once per PrepareConf by
 * {@link AdaptiveFallbackPlugin#parseConfig(String)}. Every field and default is documented in
 * {@code docs/plugins/adaptive-fallback.md}.
 *
 * @param key               cache key parts besides method and path
 * @param methods           methods whose good responses are cached and served as fallbacks; default GET, HEAD
 * @param cache             cache bounds
 * @param goodStatuses      statuses that are cached and count as successes; default 2xx
 * @param failureStatuses   statuses that count as failures and are replaced; default 5xx; must not overlap
 *                          {@code goodStatuses}. Statuses in neither set (e.g. 404) are ignored by the breaker
 * @param breaker           the circuit breaker's settings (the toolkit's {@link BreakerConfig})
 * @param halfOpenShare     share of requests, in (0, 1], allowed to probe while half-open (the others get the
 *                          fallback); default 0.1
 * @param unansweredTimeout a request let through in pre-req that sees no post-resp call within this time, while no
 *                          other response arrived on the route either, counts as a failure (a hanging or refusing
 *                          backend never reaches post-resp); default 10 s
 * @param staticResponse    the static answer when no cached one fits, if configured
 * @param replaceFailures   whether post-resp replaces failure responses with a fallback; default true
 * @param upstreamKey       the health-document upstream key for outcomes and health snapshots ({@code upstreams/1});
 *                          default {@code routes/<route id>}
 * @param healthGate        when the health reporter's snapshot opens the fallback path on its own; in lane mode
 *                          also which nodes the lane skips
 * @param lane              lane mode: pre-req hands admitted requests to the runner's HTTP lane, which proxies them
 *                          to the upstream named here; empty: the route's own upstream (APISIX proxies)
 */
public record FallbackConfig(
        KeySpec key,
        Set<HttpMethod> methods,
        CacheSettings cache,
        StatusSet goodStatuses,
        StatusSet failureStatuses,
        BreakerConfig breaker,
        double halfOpenShare,
        Duration unansweredTimeout,
        Optional<StaticResponse> staticResponse,
        boolean replaceFailures,
        Optional<String> upstreamKey,
        HealthGate healthGate,
        Optional<LaneSettings> lane) {

    public FallbackConfig {
        requireNonNull(key, "key");
        methods = Set.copyOf(methods);
        requireNonNull(cache, "cache");
        requireNonNull(goodStatuses, "goodStatuses");
        requireNonNull(failureStatuses, "failureStatuses");
        requireNonNull(breaker, "breaker");
        requireNonNull(unansweredTimeout, "unansweredTimeout");
        requireNonNull(staticResponse, "staticResponse");
        requireNonNull(upstreamKey, "upstreamKey");
        requireNonNull(healthGate, "healthGate");
        requireNonNull(lane, "lane");
    }

    /** The configuration without lane mode (post-resp and tests). */
    public FallbackConfig(
            KeySpec key,
            Set<HttpMethod> methods,
            CacheSettings cache,
            StatusSet goodStatuses,
            StatusSet failureStatuses,
            BreakerConfig breaker,
            double halfOpenShare,
            Duration unansweredTimeout,
            Optional<StaticResponse> staticResponse,
            boolean replaceFailures,
            Optional<String> upstreamKey,
            HealthGate healthGate) {
        this(
                key,
                methods,
                cache,
                goodStatuses,
                failureStatuses,
                breaker,
                halfOpenShare,
                unansweredTimeout,
                staticResponse,
                replaceFailures,
                upstreamKey,
                healthGate,
                Optional.empty());
    }

    /**
     * The settings that shape a route's state (breaker and cache). Two configs with the same fingerprint share state,
     * so the pre-req and post-resp entries of a route, given the same value, feed one breaker and one cache.
     */
    public Object stateFingerprint() {
        return java.util.List.of(breaker, cache, key);
    }
}
