package org.a6suite.plugins.fallback;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.LaneResponse;
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
import org.a6suite.plugins.fallback.internal.CachePolicy;
import org.a6suite.plugins.fallback.internal.ConfigParser;
import org.a6suite.plugins.fallback.internal.LaneMode;
import org.a6suite.plugins.fallback.internal.PostRespMode;
import org.a6suite.plugins.fallback.internal.RouteRegistry;
import org.a6suite.plugins.fallback.internal.RouteState;
import org.a6suite.resilience.Ticker;

/**
 * {@code adaptive-fallback}: stale-if-error and static fallbacks, in two modes.
 *
 * <ul>
 *   <li><b>post-resp mode</b> (routes APISIX proxies itself, {@link PostRespMode}): {@code ext-plugin-pre-req}
 *       answers at once from the cache or the static response while the route's circuit is open, otherwise lets the
 *       request through, tagged; {@code ext-plugin-post-resp} records the outcome, caches good responses and
 *       replaces failure responses with the fallback.</li>
 *   <li><b>lane mode</b> ({@code lane} set, {@link LaneMode}): the route's upstream is the runner's lane, which
 *       proxies to the real upstream within a learned attempt budget, with retries, hedging and the fallback.</li>
 * </ul>
 *
 * <p>What is cached and served is {@link CachePolicy}'s, the same in both modes. Both entries of a route should
 * carry the same configuration value: they share one state per {@link CallContext#routeId()}. See
 * {@code docs/plugins/adaptive-fallback.md}.
 */
public final class AdaptiveFallbackPlugin implements Plugin<FallbackConfig> {

    public static final String NAME = "adaptive-fallback";
    public static final String MARK_HEADER = "X-A6-Fallback";

    /** Etcd endpoints of APISIX's configuration, comma-separated; default {@code A6_HEALTH_ETCD_ENDPOINTS}. */
    public static final String ETCD_ENDPOINTS = "A6_FALLBACK_ETCD_ENDPOINTS";
    /** APISIX's etcd prefix; default {@code /apisix}. */
    public static final String ETCD_PREFIX = "A6_FALLBACK_ETCD_PREFIX";

    private final RouteRegistry routes;
    private final PostRespMode postResp;
    private final LaneMode lane;
    private volatile OutcomeRecorder outcomes = OutcomeRecorder.NOOP;
    private volatile PluginMetrics metrics = PluginMetrics.NOOP;
    private volatile HealthSnapshots health = HealthSnapshots.NONE;
    private volatile Clock wallClock = Clock.systemUTC();
    private volatile PluginEnvironment environment;

    /** For {@link java.util.ServiceLoader}: the system ticker. */
    public AdaptiveFallbackPlugin() {
        this(Ticker.systemTicker());
    }

    /** With an injected ticker (tests move time with {@code ManualTicker}). */
    public AdaptiveFallbackPlugin(Ticker ticker) {
        requireNonNull(ticker, "ticker");
        this.routes = new RouteRegistry(ticker);
        CachePolicy cache = new CachePolicy(() -> metrics);
        this.postResp = new PostRespMode(cache, () -> outcomes);
        this.lane = new LaneMode(
                ticker,
                cache,
                () -> outcomes,
                () -> health,
                () -> wallClock,
                () -> Optional.ofNullable(environment),
                ETCD_ENDPOINTS,
                ETCD_PREFIX);
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
        return new Requirements(PostRespMode.requiredVars(config), false, true);
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
        lane.close();
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
        return lane.budget(routeId);
    }

    @Override
    public CompletionStage<RequestDecision> onRequest(RequestView request, FallbackConfig config, CallContext context) {
        String routeId = routeId(context);
        RouteState state = routes.state(routeId, config);
        boolean upstreamDown = healthSaysDown(config, routeId);
        return CompletableFuture.completedFuture(
                config.lane().isPresent()
                        ? lane.onRequest(request, config, state, routeId, upstreamDown)
                        : postResp.onRequest(request, config, state, routeId, upstreamDown));
    }

    @Override
    public CompletionStage<LaneResponse> onLane(RequestView request, FallbackConfig config, CallContext context) {
        if (config.lane().isEmpty()) {
            return Plugin.super.onLane(request, config, context);
        }
        String routeId = routeId(context);
        return lane.onLane(request, config, routes.state(routeId, config), routeId);
    }

    @Override
    public CompletionStage<ResponseDecision> onResponse(
            ResponseView response, FallbackConfig config, CallContext context) {
        String routeId = routeId(context);
        return CompletableFuture.completedFuture(
                postResp.onResponse(response, config, routes.state(routeId, config), routeId));
    }

    /** See {@link PostRespMode#keepUpstreamHeaders}. */
    static ResponseDecision keepUpstreamHeaders(ResponseView response) {
        return PostRespMode.keepUpstreamHeaders(response);
    }

    /** {@code route#7} gives {@code routes/7}, {@code service#3} gives {@code services/3}. */
    static Optional<String> defaultUpstreamKey(String routeId) {
        return PostRespMode.defaultUpstreamKey(routeId);
    }

    private static String routeId(CallContext context) {
        return context.routeId().orElse(PostRespMode.DEFAULT_ROUTE);
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
        String upstreamKey = config.lane()
                .flatMap(LaneSettings::upstreamId)
                .map(id -> "upstreams/" + id)
                .or(config::upstreamKey)
                .or(() -> defaultUpstreamKey(routeId))
                .orElse(null);
        if (upstreamKey == null) {
            return false;
        }
        Instant now = wallClock.instant();
        return health.upstream(upstreamKey)
                .filter(h -> !h.generatedAt().plus(gate.maxAge()).isBefore(now))
                .map(h -> h.allNodesFailing(gate.errorRate(), gate.minRequests()))
                .orElse(false);
    }
}
