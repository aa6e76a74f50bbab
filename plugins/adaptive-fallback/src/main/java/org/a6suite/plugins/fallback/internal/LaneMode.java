package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundClientConfig;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.plugins.fallback.LaneSettings;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin on routes whose upstream is the runner's lane: pre-req hands an admitted request to the lane (or
 * answers a rejected one from the fallback at once), and the lane proxies it to the route's real upstream through
 * {@link LaneProxy}. Owns what lane mode needs beyond a request: the keep-alive pool, the etcd client and one
 * upstream watcher per {@code lane.upstream_id}, all made on first use and closed with the plugin.
 */
public final class LaneMode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LaneMode.class);

    private final Ticker ticker;
    private final CachePolicy cache;
    private final Supplier<OutcomeRecorder> outcomes;
    private final Supplier<HealthSnapshots> health;
    private final Supplier<Clock> wallClock;
    private final Supplier<Optional<PluginEnvironment>> environment;
    private final String etcdEndpointsVar;
    private final String etcdPrefixVar;
    private final Object lock = new Object();
    private final ConcurrentHashMap<String, EtcdUpstreamWatcher> watchers = new ConcurrentHashMap<>();
    private LaneProxy proxy;
    private OutboundClient client;
    private Client etcd;

    /**
     * @param etcdEndpointsVar the environment variable naming APISIX's etcd (falls back to
     *                         {@code A6_HEALTH_ETCD_ENDPOINTS})
     * @param etcdPrefixVar    the environment variable naming APISIX's etcd prefix (default {@code /apisix})
     */
    public LaneMode(
            Ticker ticker,
            CachePolicy cache,
            Supplier<OutcomeRecorder> outcomes,
            Supplier<HealthSnapshots> health,
            Supplier<Clock> wallClock,
            Supplier<Optional<PluginEnvironment>> environment,
            String etcdEndpointsVar,
            String etcdPrefixVar) {
        this.ticker = requireNonNull(ticker, "ticker");
        this.cache = requireNonNull(cache, "cache");
        this.outcomes = requireNonNull(outcomes, "outcomes");
        this.health = requireNonNull(health, "health");
        this.wallClock = requireNonNull(wallClock, "wallClock");
        this.environment = requireNonNull(environment, "environment");
        this.etcdEndpointsVar = requireNonNull(etcdEndpointsVar, "etcdEndpointsVar");
        this.etcdPrefixVar = requireNonNull(etcdPrefixVar, "etcdPrefixVar");
    }

    /**
     * Pre-req: an admitted request goes to the lane (which takes the breaker permission), a rejected one gets its
     * fallback here, without the lane round trip. Without a fallback it goes to the lane anyway, which then tries
     * the upstream (APISIX would too).
     */
    public RequestDecision onRequest(
            RequestView request, FallbackConfig config, RouteState state, String routeId, boolean upstreamDown) {
        config.lane().flatMap(LaneSettings::upstreamId).ifPresent(id -> {
            try {
                watcher(id); // start reading the upstream before the first request reaches the lane
            } catch (IllegalStateException e) {
                LOG.warn("adaptive-fallback {}: {}", routeId, e.getMessage());
            }
        });
        if (upstreamDown || !state.wouldAdmit(config.halfOpenShare())) {
            Optional<RequestDecision> fallback = cache.stop(request, config, state, routeId);
            if (fallback.isPresent()) {
                return fallback.get();
            }
        }
        return RequestDecision.rewrite().toLane().build();
    }

    /** The lane: the breaker's permission, then the proxy; a rejected request gets the fallback if there is one. */
    public CompletionStage<LaneResponse> onLane(
            RequestView request, FallbackConfig config, RouteState state, String routeId) {
        boolean permitted = state.breaker().tryAcquirePermission();
        if (!permitted) {
            Optional<LaneResponse> fallback = cache.answer(request, config, state, routeId);
            if (fallback.isPresent()) {
                return CompletableFuture.completedFuture(fallback.get());
            }
        }
        try {
            return proxy().proxy(request, config, state, routeId, permitted);
        } catch (IllegalStateException e) {
            LOG.warn("adaptive-fallback {}: {}", routeId, e.getMessage());
            if (permitted) {
                state.record(Outcome.ignored(), Duration.ZERO);
            }
            return CompletableFuture.completedFuture(cache.answer(request, config, state, routeId)
                    .orElseGet(() -> LaneResponse.whole(
                            502,
                            Headers.of("content-type", "application/problem+json"),
                            Body.of("{\"type\":\"about:blank\",\"title\":\"Bad Gateway\",\"status\":502,"
                                    + "\"reason\":\"no_upstream\"}"))));
        }
    }

    /** The attempt budget the next lane request of {@code routeId} gets; empty before the route's first lane call. */
    public Optional<Duration> budget(String routeId) {
        LaneProxy p;
        synchronized (lock) {
            p = proxy;
        }
        return p == null ? Optional.empty() : p.budget(routeId);
    }

    /** The lane's proxy, made on first use: one keep-alive pool shared by every lane route of this runner. */
    private LaneProxy proxy() {
        synchronized (lock) {
            if (proxy == null) {
                OutboundClientConfig clientConfig = OutboundClientConfig.builder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .maxConnectionsPerOrigin(1024)
                        .build();
                Optional<PluginEnvironment> env = environment.get();
                // On the runner's loops (when it offers them) a lane request's upstream call, its deadline timer
                // and the lane's answer all run on the lane's own thread: no hand-offs (docs/benchmarks.md).
                client = env.map(e -> OutboundClient.of(clientConfig, e))
                        .orElseGet(() -> OutboundClient.of(clientConfig));
                Scheduler scheduler = Scheduler.preferringCurrentLoop(
                        env.isPresent() ? env.get()::currentLoop : Optional::empty, Scheduler.shared());
                Function<String, EtcdUpstreamWatcher> w = this::watcher;
                proxy = new LaneProxy(client, ticker, scheduler, outcomes, health, wallClock.get(), w, cache);
            }
            return proxy;
        }
    }

    private EtcdUpstreamWatcher watcher(String upstreamId) {
        return watchers.computeIfAbsent(upstreamId, id -> {
            synchronized (lock) {
                if (etcd == null) {
                    String endpoints = env(etcdEndpointsVar)
                            .or(() -> env("A6_HEALTH_ETCD_ENDPOINTS"))
                            .orElseThrow(() -> new IllegalStateException(etcdEndpointsVar + " is not set (expected: "
                                    + "comma-separated http://host:port of APISIX's etcd, for lane.upstream_id)"));
                    etcd = Client.builder()
                            .endpoints(Arrays.stream(endpoints.split(","))
                                    .map(String::trim)
                                    .filter(e -> !e.isEmpty())
                                    .map(URI::create)
                                    .toArray(URI[]::new))
                            .build();
                }
                String prefix = env(etcdPrefixVar).orElse("/apisix");
                ScheduledExecutorService timer = environment
                        .get()
                        .map(PluginEnvironment::scheduler)
                        .orElseGet(() -> Executors.newSingleThreadScheduledExecutor(r -> {
                            Thread t = new Thread(r, "a6-fallback-etcd");
                            t.setDaemon(true);
                            return t;
                        }));
                return new EtcdUpstreamWatcher(etcd, prefix, id, timer);
            }
        });
    }

    private Optional<String> env(String name) {
        return environment.get().flatMap(e -> e.getenv(name)).filter(v -> !v.isBlank());
    }

    @Override
    public void close() {
        synchronized (lock) {
            watchers.values().forEach(EtcdUpstreamWatcher::close);
            watchers.clear();
            if (etcd != null) {
                etcd.close();
            }
            if (client != null) {
                client.close();
            }
        }
    }
}
