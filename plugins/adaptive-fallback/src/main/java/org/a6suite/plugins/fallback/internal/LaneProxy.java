package org.a6suite.plugins.fallback.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.a6suite.http.OutboundClient;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.plugins.fallback.LaneSettings;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;

/**
 * The lane's data path: proxies one request to the route's real upstream and answers the lane.
 *
 * <pre>
 *  request ──&gt; breaker admission ──&gt; budget = min(adaptive attempt timeout, upstream connect + read)
 *              │ rejected                 │
 *              v                          v
 *           fallback         [ retry on another node ( hedge ( attempt ) ) ] within the budget      (LaneCall)
 *                                         │ good / ignored status      │ failure status, error, budget spent
 *                                         v                            v
 *                               streamed (or whole) answer     cache -&gt; static -&gt; upstream's own failure / 504 / 502
 * </pre>
 *
 * <p>The pieces: {@link LaneRoute} (per-route latency window, budgets, upstream view), {@link LaneCall} (one
 * request's attempt scheduling and commit decision), {@link UpstreamExchange} (one attempt on one node, its body held
 * back until its commit point by {@link RelayBody}, its outcome reported per node by {@link NodeOutcomes}),
 * {@link PreparedRequest} (the outbound request worked out once per request) and {@link LaneAnswers} (what the lane
 * commits). A backend that hangs, resets, answers 5xx or drips its body is never the client's problem for longer
 * than the budget.
 */
public final class LaneProxy {

    /** The longest a route's first request waits for its upstream's first read from etcd. */
    private static final Duration FIRST_READ_WAIT = Duration.ofSeconds(1);

    /** What answers when the upstream does not: the plugin's cache and static response. */
    public interface Fallbacks {
        Optional<LaneResponse> answer(RequestView request, FallbackConfig config, RouteState state, String routeId);

        void store(
                RequestView request, FallbackConfig config, RouteState state, int status, Headers headers, Body body);
    }

    private final ProxyEnvironment env;
    private final Function<String, EtcdUpstreamWatcher> watchers;
    private final ConcurrentHashMap<String, LaneRoute> routes = new ConcurrentHashMap<>();

    public LaneProxy(
            OutboundClient client,
            Ticker ticker,
            Scheduler scheduler,
            Supplier<OutcomeRecorder> outcomes,
            Supplier<HealthSnapshots> health,
            Clock wallClock,
            Function<String, EtcdUpstreamWatcher> watchers,
            Fallbacks fallbacks) {
        this.env = new ProxyEnvironment(client, ticker, scheduler, outcomes, health, wallClock, fallbacks);
        this.watchers = java.util.Objects.requireNonNull(watchers, "watchers");
    }

    /** The attempt budget a request of {@code routeId} starting now would get; empty before its first request. */
    public Optional<Duration> budget(String routeId) {
        LaneRoute r = routes.get(routeId);
        return r == null ? Optional.empty() : r.upstream.get().map(r::budget);
    }

    /** The per-route lane state: latency window, retry and hedge budgets, the upstream view. */
    public LaneRoute route(String routeId, FallbackConfig config) {
        LaneSettings lane = config.lane().orElseThrow();
        LaneRoute current = routes.get(routeId);
        if (current != null && current.matches(config, lane)) {
            return current;
        }
        return routes.compute(
                routeId,
                (id, existing) -> existing != null && existing.matches(config, lane)
                        ? existing
                        : new LaneRoute(id, config, lane, env.ticker(), env.scheduler(), watchers));
    }

    /**
     * Proxies {@code request}; {@code permitted} says whether the breaker granted a permission that this call must
     * record.
     */
    public CompletionStage<LaneResponse> proxy(
            RequestView request, FallbackConfig config, RouteState state, String routeId, boolean permitted) {
        LaneRoute route = route(routeId, config);
        if (route.watcher.isEmpty() || route.watcher.get().firstRead().isDone()) {
            return start(request, config, state, routeId, permitted, route, route.upstream.get());
        }
        // bounded: an unreachable etcd must not hold the request (the fallback answers instead)
        CompletableFuture<Optional<WeightedBalancer>> ready = route.watcher
                .get()
                .firstRead()
                .copy()
                .completeOnTimeout(null, FIRST_READ_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(x -> route.upstream.get());
        // Waiting for the first read: a cancellation (the client went away) must still reach the call started later.
        CompletableFuture<LaneResponse> result = new CompletableFuture<>();
        ready.whenComplete((balancer, error) -> {
            if (result.isDone()) {
                release(state, permitted);
                return;
            }
            CompletableFuture<LaneResponse> call = start(
                    request, config, state, routeId, permitted, route, error == null ? balancer : Optional.empty());
            result.whenComplete((r, e) -> {
                if (result.isCancelled()) {
                    call.cancel(false);
                }
            });
            call.whenComplete((r, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(r);
                }
            });
        });
        return result;
    }

    private CompletableFuture<LaneResponse> start(
            RequestView request,
            FallbackConfig config,
            RouteState state,
            String routeId,
            boolean permitted,
            LaneRoute route,
            Optional<WeightedBalancer> balancer) {
        if (balancer.isEmpty()) {
            release(state, permitted);
            return CompletableFuture.completedFuture(env.fallbacks()
                    .answer(request, config, state, routeId)
                    .orElseGet(() -> LaneAnswers.problem(
                            502, "Bad Gateway", "no upstream " + route.upstreamKey + " to proxy to", "no_upstream")));
        }
        return new LaneCall(env, request, config, state, routeId, permitted, route, balancer.get()).start();
    }

    private static void release(RouteState state, boolean permitted) {
        if (permitted) {
            state.record(Outcome.ignored(), Duration.ZERO);
        }
    }
}
