package org.a6suite.plugins.fallback;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.plugins.fallback.internal.CacheKey;
import org.a6suite.plugins.fallback.internal.CachedResponse;
import org.a6suite.plugins.fallback.internal.ConfigParser;
import org.a6suite.plugins.fallback.internal.EtcdUpstreamWatcher;
import org.a6suite.plugins.fallback.internal.LaneProxy;
import org.a6suite.plugins.fallback.internal.RequestFacts;
import org.a6suite.plugins.fallback.internal.RouteRegistry;
import org.a6suite.plugins.fallback.internal.RouteState;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundClientConfig;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code adaptive-fallback}: stale-if-error and static fallbacks for routes APISIX proxies itself.
 *
 * <ul>
 *   <li>{@code ext-plugin-pre-req}: while the route's circuit is open, answer at once from the last good response
 *       cached for the same key ({@code X-A6-Fallback: cache}, {@code Age}) or the static one
 *       ({@code X-A6-Fallback: static}); otherwise let the request through, tagged for post-resp. Half-open lets a
 *       configured share probe.</li>
 *   <li>{@code ext-plugin-post-resp}: record the outcome (breaker, the runner's outcome stream), cache good
 *       responses within bounds, replace failure responses with the fallback.</li>
 * </ul>
 *
 * <p>Both entries of a route should carry the same configuration value: they share one state per
 * {@link CallContext#routeId()}. See {@code docs/plugins/adaptive-fallback.md}.
 */
public final class AdaptiveFallbackPlugin implements Plugin<FallbackConfig> {

    private static final Logger LOG = LoggerFactory.getLogger(AdaptiveFallbackPlugin.class);

    public static final String NAME = "adaptive-fallback";
    public static final String MARK_HEADER = "X-A6-Fallback";

    private static final String VAR_BALANCER_IP = "balancer_ip";
    private static final String VAR_BALANCER_PORT = "balancer_port";
    private static final String VAR_UPSTREAM_RESPONSE_TIME = "upstream_response_time";
    private static final String DEFAULT_ROUTE = "route#unknown";

    private final Ticker ticker;
    private final RouteRegistry routes;
    private final String idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    private final AtomicLong ids = new AtomicLong();
    private volatile OutcomeRecorder outcomes = OutcomeRecorder.NOOP;
    private volatile PluginMetrics metrics = PluginMetrics.NOOP;
    private volatile org.a6suite.plugin.HealthSnapshots health = org.a6suite.plugin.HealthSnapshots.NONE;
    private volatile java.time.Clock wallClock = java.time.Clock.systemUTC();
    private volatile PluginEnvironment environment;
    private final Object laneLock = new Object();
    private LaneProxy laneProxy;
    private OutboundClient outboundClient;
    private Client etcd;
    private final ConcurrentHashMap<String, EtcdUpstreamWatcher> watchers = new ConcurrentHashMap<>();

    /** Etcd endpoints of APISIX's configuration, comma-separated; default {@code A6_HEALTH_ETCD_ENDPOINTS}. */
    public static final String ETCD_ENDPOINTS = "A6_FALLBACK_ETCD_ENDPOINTS";
    /** APISIX's etcd prefix; default {@code /apisix}. */
    public static final String ETCD_PREFIX = "A6_FALLBACK_ETCD_PREFIX";

    /** For {@link java.util.ServiceLoader}: the system ticker. */
    public AdaptiveFallbackPlugin() {
        this(Ticker.systemTicker());
    }

    /** With an injected ticker (tests move time with {@code ManualTicker}). */
    public AdaptiveFallbackPlugin(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
        this.routes = new RouteRegistry(ticker);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public FallbackConfig parseConfig(String value) throws PluginConfigException {
        return ConfigParser.parse(value);
    }

    @Override
    public Requirements requirements(FallbackConfig config) {
        if (config.lane().isPresent()) {
            // Lane mode reads only the request (pre-req and lane); asking for variables would cost an ExtraInfo
            // exchange per variable on every pre-req call.
            return Requirements.NONE;
        }
        List<String> vars = new ArrayList<>(RequestFacts.varsFor(config.key()));
        vars.addAll(List.of(RouteState.ID_VAR, VAR_BALANCER_IP, VAR_BALANCER_PORT, VAR_UPSTREAM_RESPONSE_TIME));
        return new Requirements(java.util.Set.copyOf(vars), false, true);
    }

    @Override
    public void start(PluginEnvironment environment) {
        this.outcomes = environment.outcomes();
        this.metrics = environment.metrics();
        this.health = environment.health();
        this.wallClock = environment.clock();
        this.environment = environment;
    }

    @Override
    public void close() {
        synchronized (laneLock) {
            watchers.values().forEach(EtcdUpstreamWatcher::close);
            watchers.clear();
            if (etcd != null) {
                etcd.close();
            }
            if (outboundClient != null) {
                outboundClient.close();
            }
        }
    }

    /** The lane's proxy, made on first use: one keep-alive pool shared by every lane route of this runner. */
    private LaneProxy laneProxy() {
        synchronized (laneLock) {
            if (laneProxy == null) {
                outboundClient = OutboundClient.of(OutboundClientConfig.builder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .maxConnectionsPerOrigin(1024)
                        .build());
                laneProxy = new LaneProxy(outboundClient, ticker, Scheduler.shared(), () -> outcomes, () -> health,
                        wallClock, this::watcher, new LaneFallbacks());
            }
            return laneProxy;
        }
    }

    private EtcdUpstreamWatcher watcher(String upstreamId) {
        return watchers.computeIfAbsent(upstreamId, id -> {
            synchronized (laneLock) {
                if (etcd == null) {
                    String endpoints = env(ETCD_ENDPOINTS).or(() -> env("A6_HEALTH_ETCD_ENDPOINTS"))
                            .orElseThrow(() -> new IllegalStateException(ETCD_ENDPOINTS + " is not set (expected: "
                                    + "comma-separated http://host:port of APISIX's etcd, for lane.upstream_id)"));
                    etcd = Client.builder().endpoints(Arrays.stream(endpoints.split(","))
                            .map(String::trim).filter(e -> !e.isEmpty()).map(URI::create)
                            .toArray(URI[]::new)).build();
                }
                String prefix = env(ETCD_PREFIX).orElse("/apisix");
                ScheduledExecutorService timer = environment != null ? environment.scheduler()
                        : Executors.newSingleThreadScheduledExecutor(r -> {
                            Thread t = new Thread(r, "a6-fallback-etcd");
                            t.setDaemon(true);
                            return t;
                        });
                return new EtcdUpstreamWatcher(etcd, prefix, id, timer);
            }
        });
    }

    private Optional<String> env(String name) {
        PluginEnvironment e = environment;
        return e == null ? Optional.empty() : e.getenv(name).filter(v -> !v.isBlank());
    }

    /** The state of a route, for tests and diagnostics. */
    public Optional<RouteState> routeState(String routeId) {
        return routes.find(routeId);
    }

    /**
     * The attempt budget the next lane request of {@code routeId} ({@code route#1}) gets: the adaptive attempt
     * timeout capped by the upstream's timeouts. For tests and diagnostics; empty before the route's first lane call.
     */
    public Optional<Duration> laneBudget(String routeId) {
        synchronized (laneLock) {
            if (laneProxy == null) {
                return Optional.empty();
            }
        }
        return laneProxy.budget(routeId);
    }

    // ------------------------------------------------------------------ pre-req

    @Override
    public CompletionStage<RequestDecision> onRequest(RequestView request, FallbackConfig config,
                                                      CallContext context) {
        String routeId = context.routeId().orElse(DEFAULT_ROUTE);
        RouteState state = routes.state(routeId, config);
        boolean upstreamDown = healthSaysDown(config, routeId);
        if (config.lane().isPresent()) {
            return done(laneDecision(request, config, routeId, state, upstreamDown));
        }
        if (!upstreamDown && state.admit(config.halfOpenShare()) == RouteState.Admission.ADMIT) {
            String id = idPrefix + "-" + Long.toHexString(ids.incrementAndGet());
            if (state.track(id)) {
                return done(RequestDecision.rewrite().setHeader(RouteState.ID_HEADER, id).build());
            }
            return done(RequestDecision.proceed());
        }
        RequestFacts facts = RequestFacts.of(request, config.key());
        Optional<RequestDecision> fallback = cachedFor(state, config, facts)
                .<RequestDecision>map(c -> stopFrom(c, state.now(), routeId))
                .or(() -> config.staticResponse().map(s -> stopFrom(s, routeId)));
        // No fallback configured or cached: the request goes to the upstream untracked (it holds no permission).
        return done(fallback.orElse(RequestDecision.proceed()));
    }

    /**
     * Lane mode's pre-req: an admitted request goes to the lane (which takes the breaker permission), a rejected one
     * gets its fallback here, without the lane round trip. Without a fallback it goes to the lane anyway, which then
     * tries the upstream (APISIX would too).
     */
    private RequestDecision laneDecision(RequestView request, FallbackConfig config, String routeId, RouteState state,
                                         boolean upstreamDown) {
        config.lane().flatMap(LaneSettings::upstreamId).ifPresent(id -> {
            try {
                watcher(id); // start reading the upstream before the first request reaches the lane
            } catch (IllegalStateException e) {
                LOG.warn("adaptive-fallback {}: {}", routeId, e.getMessage());
            }
        });
        if (upstreamDown || !state.wouldAdmit(config.halfOpenShare())) {
            RequestFacts facts = RequestFacts.of(request, config.key());
            Optional<RequestDecision> fallback = cachedFor(state, config, facts)
                    .<RequestDecision>map(c -> stopFrom(c, state.now(), routeId))
                    .or(() -> config.staticResponse().map(s -> stopFrom(s, routeId)));
            if (fallback.isPresent()) {
                return fallback.get();
            }
        }
        return RequestDecision.rewrite().toLane().build();
    }

    // ------------------------------------------------------------------ lane

    @Override
    public CompletionStage<LaneResponse> onLane(RequestView request, FallbackConfig config, CallContext context) {
        if (config.lane().isEmpty()) {
            return Plugin.super.onLane(request, config, context);
        }
        String routeId = context.routeId().orElse(DEFAULT_ROUTE);
        RouteState state = routes.state(routeId, config);
        boolean permitted = state.breaker().tryAcquirePermission();
        if (!permitted) {
            Optional<LaneResponse> fallback = new LaneFallbacks().answer(request, config, state, routeId);
            if (fallback.isPresent()) {
                return done(fallback.get());
            }
        }
        try {
            return laneProxy().proxy(request, config, state, routeId, permitted);
        } catch (IllegalStateException e) {
            LOG.warn("adaptive-fallback {}: {}", routeId, e.getMessage());
            if (permitted) {
                state.record(Outcome.ignored(), Duration.ZERO);
            }
            return done(new LaneFallbacks().answer(request, config, state, routeId).orElseGet(() ->
                    LaneResponse.whole(502, Headers.of("content-type", "application/problem+json"), Body.of(
                            "{\"type\":\"about:blank\",\"title\":\"Bad Gateway\",\"status\":502,"
                            + "\"reason\":\"no_upstream\"}"))));
        }
    }

    /** The cache and the static answer, for the lane. */
    private final class LaneFallbacks implements LaneProxy.Fallbacks {
        @Override
        public Optional<LaneResponse> answer(RequestView request, FallbackConfig config, RouteState state,
                                             String routeId) {
            RequestFacts facts = RequestFacts.of(request, config.key());
            Optional<LaneResponse> cached = cachedFor(state, config, facts).map(c -> {
                served(routeId, "cache");
                return (LaneResponse) LaneResponse.whole(c.status(), c.headers().with(MARK_HEADER, "cache")
                        .with("Age", Long.toString(c.ageSeconds(state.now()))), c.body());
            });
            return cached.or(() -> config.staticResponse().map(s -> {
                served(routeId, "static");
                return LaneResponse.whole(Math.max(200, s.status()), s.headers().with("content-type",
                        s.contentType()).with(MARK_HEADER, "static"), s.body());
            }));
        }

        @Override
        public void store(RequestView request, FallbackConfig config, RouteState state, int status, Headers headers,
                          Body body) {
            RequestFacts facts = RequestFacts.of(request, config.key());
            if (!config.goodStatuses().contains(status) || !config.methods().contains(request.method())
                    || !facts.keyable(config.key()) || body.size() > config.cache().maxBodyBytes()
                    || (headers.contains("set-cookie") && !config.cache().cacheSetCookie())
                    || forbidsStoring(headers)) {
                return;
            }
            state.store(facts.cacheKey(), CachedResponse.of(status, headers, body, state.now()));
        }
    }

    /**
     * True when the health reporter's latest snapshot (fresh enough) says every node of the route's upstream is
     * failing. No traffic reaches a node while this holds only if a fallback answers; the reporter keeps seeing
     * APISIX's health checks and other routes' traffic, and a node with no requests is not failing, so the gate
     * reopens by itself.
     */
    private boolean healthSaysDown(FallbackConfig config, String routeId) {
        HealthGate gate = config.healthGate();
        if (!gate.enabled()) {
            return false;
        }
        String upstreamKey = config.lane().flatMap(LaneSettings::upstreamId).map(id -> "upstreams/" + id)
                .or(config::upstreamKey).or(() -> defaultUpstreamKey(routeId)).orElse(null);
        if (upstreamKey == null) {
            return false;
        }
        java.time.Instant now = wallClock.instant();
        return health.upstream(upstreamKey)
                .filter(h -> !h.generatedAt().plus(gate.maxAge()).isBefore(now))
                .map(h -> h.allNodesFailing(gate.errorRate(), gate.minRequests()))
                .orElse(false);
    }

    private RequestDecision stopFrom(CachedResponse cached, long now, String routeId) {
        RequestDecision.Stop.Builder stop = RequestDecision.stop(cached.status());
        cached.headers().forEach(h -> stop.header(h.name(), h.value()));
        stop.header(MARK_HEADER, "cache").header("Age", Long.toString(cached.ageSeconds(now)));
        served(routeId, "cache");
        return stop.body(cached.body()).build();
    }

    private RequestDecision stopFrom(StaticResponse s, String routeId) {
        RequestDecision.Stop.Builder stop = RequestDecision.stop(s.status()).header("content-type", s.contentType());
        s.headers().forEach(h -> stop.header(h.name(), h.value()));
        stop.header(MARK_HEADER, "static");
        served(routeId, "static");
        return stop.body(s.body()).build();
    }

    // ------------------------------------------------------------------ post-resp

    @Override
    public CompletionStage<ResponseDecision> onResponse(ResponseView response, FallbackConfig config,
                                                        CallContext context) {
        String routeId = context.routeId().orElse(DEFAULT_ROUTE);
        RouteState state = routes.state(routeId, config);
        int status = response.status();
        Outcome outcome = config.goodStatuses().contains(status) ? Outcome.success()
                : config.failureStatuses().contains(status) ? Outcome.failure() : Outcome.ignored();

        Optional<Duration> tracked = response.var(RouteState.ID_VAR).flatMap(state::complete);
        Duration latency;
        if (tracked.isPresent()) {
            latency = tracked.get();
            state.record(outcome, latency);
        } else {
            state.sawUntrackedResponse();
            latency = upstreamResponseTime(response).orElse(Duration.ZERO);
            // Without pre-req there is no permission yet; take one so the breaker still learns.
            if (state.breaker().tryAcquirePermission()) {
                state.record(outcome, latency);
            }
        }
        recordOutcome(response, config, routeId, status, latency);

        Optional<RequestFacts> facts = RequestFacts.of(response, config.key());
        if (outcome.isSuccess() && facts.isPresent()) {
            maybeStore(state, config, facts.get(), response);
        }
        if (config.failureStatuses().contains(status) && config.replaceFailures()) {
            boolean head = facts.map(f -> f.method().equals("HEAD")).orElse(false);
            Optional<ResponseDecision> replacement = facts.flatMap(f -> cachedFor(state, config, f))
                    .filter(c -> head || !c.body().isEmpty())
                    .map(c -> modifyFrom(c, state.now(), routeId))
                    .or(() -> config.staticResponse().filter(s -> head || !s.body().isEmpty())
                            .map(s -> modifyFrom(s, routeId)));
            if (replacement.isPresent()) {
                return done(replacement.get());
            }
        }
        return done(keepUpstreamHeaders(response));
    }

    /**
     * The reply for a response the plugin leaves alone. A plain pass (empty reply) makes APISIX copy the upstream
     * headers minus a list that includes Content-Type, so clients would get {@code text/plain; charset=utf-8} for a
     * JSON answer (transcript s05b). Sending the upstream's own end-to-end headers back replaces the set with itself
     * and keeps the upstream status and streamed body. Hop-by-hop and framing headers are left to nginx.
     */
    static ResponseDecision keepUpstreamHeaders(ResponseView response) {
        var kept = response.headers().entries().stream()
                .filter(h -> !HOP_BY_HOP.contains(h.name().toLowerCase(java.util.Locale.ROOT)))
                .toList();
        if (kept.isEmpty()) {
            return ResponseDecision.pass();
        }
        return ResponseDecision.modify().headers(org.a6suite.plugin.Headers.of(kept)).build();
    }

    private static final java.util.Set<String> HOP_BY_HOP = java.util.Set.of("connection", "keep-alive",
            "transfer-encoding", "content-length", "te", "trailer", "upgrade", "proxy-connection",
            "proxy-authenticate", "proxy-authorization");

    private void maybeStore(RouteState state, FallbackConfig config, RequestFacts facts, ResponseView response) {
        HttpMethod method;
        try {
            method = HttpMethod.valueOf(facts.method());
        } catch (IllegalArgumentException e) {
            return;
        }
        if (!config.methods().contains(method) || !facts.keyable(config.key())) {
            return;
        }
        Body body = response.body().orElse(Body.EMPTY);
        if (body.size() > config.cache().maxBodyBytes()) {
            return;
        }
        if (response.headers().contains("set-cookie") && !config.cache().cacheSetCookie()) {
            return;
        }
        if (forbidsStoring(response.headers())) {
            return;
        }
        state.store(facts.cacheKey(), CachedResponse.of(response.status(), response.headers(), body, state.now()));
    }

    /** {@code Cache-Control: no-store} or {@code private}, or {@code Vary: *}: the upstream said not to reuse it. */
    private static boolean forbidsStoring(Headers headers) {
        for (String cc : headers.all("cache-control")) {
            String lower = cc.toLowerCase(Locale.ROOT);
            if (lower.contains("no-store") || lower.contains("private")) {
                return true;
            }
        }
        return headers.all("vary").stream().anyMatch(v -> v.trim().equals("*"));
    }

    private ResponseDecision modifyFrom(CachedResponse cached, long now, String routeId) {
        Headers headers = cached.headers().with(MARK_HEADER, "cache").with("Age", Long.toString(cached.ageSeconds(now)));
        served(routeId, "cache");
        return ResponseDecision.modify().status(cached.status()).headers(headers).body(cached.body()).build();
    }

    private ResponseDecision modifyFrom(StaticResponse s, String routeId) {
        Headers headers = s.headers().with("content-type", s.contentType()).with(MARK_HEADER, "static");
        served(routeId, "static");
        return ResponseDecision.modify().status(s.status()).headers(headers).body(s.body()).build();
    }

    // ------------------------------------------------------------------ shared

    private static Optional<CachedResponse> cachedFor(RouteState state, FallbackConfig config, RequestFacts facts) {
        HttpMethod method;
        try {
            method = HttpMethod.valueOf(facts.method());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!config.methods().contains(method) || !facts.keyable(config.key())) {
            return Optional.empty();
        }
        CacheKey key = facts.cacheKey();
        return state.cached(key);
    }

    private void recordOutcome(ResponseView response, FallbackConfig config, String routeId, int status,
                               Duration latency) {
        Optional<String> ip = response.var(VAR_BALANCER_IP);
        Optional<String> port = response.var(VAR_BALANCER_PORT);
        Optional<String> upstreamKey = config.upstreamKey().or(() -> defaultUpstreamKey(routeId));
        if (ip.isEmpty() || port.isEmpty() || upstreamKey.isEmpty()) {
            return; // without the picked node the outcome cannot be attributed
        }
        String host = ip.get().contains(":") && !ip.get().startsWith("[") ? "[" + ip.get() + "]" : ip.get();
        outcomes.record(new OutcomeRecorder.Outcome(upstreamKey.get(), host + ":" + port.get(),
                Optional.of(status), latency, OutcomeRecorder.Outcome.classify(status)));
    }

    /** {@code route#7} gives {@code routes/7}, {@code service#3} gives {@code services/3}. */
    static Optional<String> defaultUpstreamKey(String routeId) {
        int hash = routeId.indexOf('#');
        if (hash <= 0 || hash == routeId.length() - 1 || routeId.equals(DEFAULT_ROUTE)) {
            return Optional.empty();
        }
        return Optional.of(routeId.substring(0, hash) + "s/" + routeId.substring(hash + 1));
    }

    /** {@code $upstream_response_time}: seconds, comma-separated over retries; the last attempt counts. */
    static Optional<Duration> upstreamResponseTime(ResponseView response) {
        return response.var(VAR_UPSTREAM_RESPONSE_TIME).flatMap(v -> {
            String[] parts = v.split("[,:]");
            try {
                double s = Double.parseDouble(parts[parts.length - 1].trim());
                return s >= 0 ? Optional.of(Duration.ofNanos((long) (s * 1e9))) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private void served(String routeId, String kind) {
        metrics.increment("a6_fallback_served_total", "Responses answered by adaptive-fallback instead of the upstream",
                Map.of("route", routeId, "kind", kind), 1);
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
