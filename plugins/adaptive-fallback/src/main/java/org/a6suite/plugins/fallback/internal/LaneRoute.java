package org.a6suite.plugins.fallback.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.plugins.fallback.LaneSettings;
import org.a6suite.resilience.AdaptiveTimeout;
import org.a6suite.resilience.Hedge;
import org.a6suite.resilience.HedgeBudget;
import org.a6suite.resilience.HedgeBudgetConfig;
import org.a6suite.resilience.HedgeDelay;
import org.a6suite.resilience.Retry;
import org.a6suite.resilience.RetryBudget;
import org.a6suite.resilience.RetryBudgetConfig;
import org.a6suite.resilience.RetryConfig;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;

/**
 * Per route: one instance shared by every lane request of the route while its lane settings stay the same. Holds
 * the latency window the attempt budget is learned from, the retry and hedge budgets, and the view of the upstream
 * (etcd-watched or inline).
 */
public final class LaneRoute {

    final LaneSettings settings;
    final String upstreamKey;
    final String latencyKey;
    final AdaptiveTimeout adaptive;
    final Retry retry;
    final Optional<Hedge> hedge;
    final Supplier<Optional<WeightedBalancer>> upstream;
    final Optional<EtcdUpstreamWatcher> watcher;

    LaneRoute(
            String routeId,
            FallbackConfig config,
            LaneSettings lane,
            Ticker ticker,
            Scheduler scheduler,
            Function<String, EtcdUpstreamWatcher> watchers) {
        this.settings = lane;
        this.upstreamKey = lane.upstreamId()
                .map(id -> "upstreams/" + id)
                .or(config::upstreamKey)
                .orElseGet(() -> routeKey(routeId));
        this.latencyKey = routeId;
        this.adaptive = AdaptiveTimeout.of(lane.attemptTimeout(), ticker);
        this.retry = Retry.of(
                RetryConfig.builder()
                        .maxAttempts(1 + lane.retries())
                        .baseBackoff(Duration.ZERO)
                        .maxBackoff(Duration.ZERO)
                        .build(),
                Optional.of(RetryBudget.of(RetryBudgetConfig.DEFAULT, ticker)),
                new Random(),
                scheduler);
        this.hedge = lane.hedge()
                .map(h -> Hedge.of(
                        HedgeDelay.percentile(adaptive, latencyKey, h.percentile(), h.warmupDelay()),
                        HedgeBudget.of(
                                HedgeBudgetConfig.builder()
                                        .maxExtraLoad(h.maxExtraLoad())
                                        .build(),
                                ticker),
                        scheduler));
        if (lane.upstreamId().isPresent()) {
            EtcdUpstreamWatcher w = watchers.apply(lane.upstreamId().get());
            this.watcher = Optional.of(w);
            this.upstream = w::current;
        } else {
            Optional<WeightedBalancer> fixed =
                    Optional.of(new WeightedBalancer(lane.inline().orElseThrow()));
            this.watcher = Optional.empty();
            this.upstream = () -> fixed;
        }
    }

    /** The configuration instance last found to have these lane settings (see {@link #matches}). */
    private volatile FallbackConfig lastMatched;

    /**
     * Whether {@code config}'s lane settings are this route's. The instance APISIX's value was parsed into is reused
     * per request, so the deep comparison of the settings (upstream nodes included) runs once per instance.
     */
    boolean matches(FallbackConfig config, LaneSettings lane) {
        if (config == lastMatched) {
            return true;
        }
        boolean same = settings.equals(lane);
        if (same) {
            lastMatched = config;
        }
        return same;
    }

    /** The attempt budget a request starting now gets: the learned timeout, capped by the upstream's timeouts. */
    public Duration budget(WeightedBalancer balancer) {
        Duration learned = adaptive.timeout(latencyKey);
        Duration cap = balancer.spec().timeout().attemptCap();
        return learned.compareTo(cap) > 0 ? cap : learned;
    }

    public AdaptiveTimeout adaptive() {
        return adaptive;
    }

    /** {@code route#7} gives {@code routes/7}: the health key of a route's inline upstream. */
    private static String routeKey(String routeId) {
        int hash = routeId.indexOf('#');
        return hash > 0 ? routeId.substring(0, hash) + "s/" + routeId.substring(hash + 1) : "routes/unknown";
    }
}
