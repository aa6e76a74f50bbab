package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundRequest;
import org.a6suite.http.OutboundResponse;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.plugins.fallback.HealthGate;
import org.a6suite.plugins.fallback.LaneSettings;
import org.a6suite.resilience.AdaptiveTimeout;
import org.a6suite.resilience.CallNotPermittedException;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.DeadlineCall;
import org.a6suite.resilience.DeadlineExceededException;
import org.a6suite.resilience.Deadlines;
import org.a6suite.resilience.Hedge;
import org.a6suite.resilience.HedgeBudget;
import org.a6suite.resilience.HedgeBudgetConfig;
import org.a6suite.resilience.HedgeDelay;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.OutcomeClassifier;
import org.a6suite.resilience.Retry;
import org.a6suite.resilience.RetryBudget;
import org.a6suite.resilience.RetryBudgetConfig;
import org.a6suite.resilience.RetryConfig;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lane's data path: proxies one request to the route's real upstream and answers the lane.
 *
 * <pre>
 *  request ──&gt; breaker admission ──&gt; budget = min(adaptive attempt timeout, upstream connect + read)
 *              │ rejected                 │
 *              v                          v
 *           fallback         [ retry on another node ( hedge ( attempt ) ) ] within the budget
 *                                         │ good / ignored status      │ failure status, error, budget spent
 *                                         v                            v
 *                               streamed (or whole) answer     cache -&gt; static -&gt; upstream's own failure / 504 / 502
 * </pre>
 *
 * <p>An attempt picks a node by smooth weighted round robin, skipping nodes already tried and nodes the health data
 * marks failing, sends the request on the shared keep-alive pool, and holds the response body back until its commit
 * point ({@link RelayBody}). Only then is the answer decided, so a backend that hangs, resets, answers 5xx or drips
 * its body is never the client's problem for longer than the budget. Every attempt's outcome goes to the runner's
 * outcome stream, per node, for the health reporter and the optimizer.
 */
public final class LaneProxy {

    private static final Logger LOG = LoggerFactory.getLogger(LaneProxy.class);
    /** The longest a route's first request waits for its upstream's first read from etcd. */
    private static final Duration FIRST_READ_WAIT = Duration.ofSeconds(1);
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "content-length", "http2-settings", "x-a6-lane",
            RouteState.ID_HEADER);
    private static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "content-length");
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);
    /** Kinds that prove the request never reached the backend: safe to send to another node, whatever the method. */
    private static final Set<OutboundException.Kind> NEVER_SENT = Set.of(OutboundException.Kind.POOL_ACQUIRE_TIMEOUT,
            OutboundException.Kind.CONNECT_FAILED, OutboundException.Kind.CONNECT_TIMEOUT,
            OutboundException.Kind.TLS_FAILED);

    /** What answers when the upstream does not: the plugin's cache and static response. */
    public interface Fallbacks {
        Optional<LaneResponse> answer(RequestView request, FallbackConfig config, RouteState state, String routeId);

        void store(RequestView request, FallbackConfig config, RouteState state, int status, Headers headers,
                   Body body);
    }

    private final OutboundClient client;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Supplier<OutcomeRecorder> outcomes;
    private final Supplier<HealthSnapshots> health;
    private final Clock wallClock;
    private final Function<String, EtcdUpstreamWatcher> watchers;
    private final Fallbacks fallbacks;
    private final ConcurrentHashMap<String, LaneRoute> routes = new ConcurrentHashMap<>();

    public LaneProxy(OutboundClient client, Ticker ticker, Scheduler scheduler, Supplier<OutcomeRecorder> outcomes,
                     Supplier<HealthSnapshots> health, Clock wallClock, Function<String, EtcdUpstreamWatcher> watchers,
                     Fallbacks fallbacks) {
        this.client = requireNonNull(client, "client");
        this.ticker = requireNonNull(ticker, "ticker");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.outcomes = requireNonNull(outcomes, "outcomes");
        this.health = requireNonNull(health, "health");
        this.wallClock = requireNonNull(wallClock, "wallClock");
        this.watchers = requireNonNull(watchers, "watchers");
        this.fallbacks = requireNonNull(fallbacks, "fallbacks");
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
        if (current != null && current.settings.equals(lane)) {
            return current;
        }
        return routes.compute(routeId, (id, existing) -> existing != null && existing.settings.equals(lane)
                ? existing : new LaneRoute(id, config, lane));
    }

    /** Per route: one instance shared by every request of the route while its lane settings stay the same. */
    public final class LaneRoute {
        final LaneSettings settings;
        final String upstreamKey;
        final String latencyKey;
        final AdaptiveTimeout adaptive;
        final Retry retry;
        final Optional<Hedge> hedge;
        final Supplier<Optional<WeightedBalancer>> upstream;
        final Optional<EtcdUpstreamWatcher> watcher;

        LaneRoute(String routeId, FallbackConfig config, LaneSettings lane) {
            this.settings = lane;
            this.upstreamKey = lane.upstreamId().map(id -> "upstreams/" + id)
                    .or(config::upstreamKey).orElseGet(() -> routeKey(routeId));
            this.latencyKey = routeId;
            this.adaptive = AdaptiveTimeout.of(lane.attemptTimeout(), ticker);
            this.retry = Retry.of(RetryConfig.builder().maxAttempts(1 + lane.retries()).baseBackoff(Duration.ZERO)
                    .maxBackoff(Duration.ZERO).build(), Optional.of(RetryBudget.of(RetryBudgetConfig.DEFAULT, ticker)),
                    new Random(), scheduler);
            this.hedge = lane.hedge().map(h -> Hedge.of(HedgeDelay.percentile(adaptive, latencyKey, h.percentile(),
                    h.warmupDelay()), HedgeBudget.of(HedgeBudgetConfig.builder().maxExtraLoad(h.maxExtraLoad())
                    .build(), ticker), scheduler));
            if (lane.upstreamId().isPresent()) {
                EtcdUpstreamWatcher w = watchers.apply(lane.upstreamId().get());
                this.watcher = Optional.of(w);
                this.upstream = w::current;
            } else {
                Optional<WeightedBalancer> fixed = Optional.of(new WeightedBalancer(lane.inline().orElseThrow()));
                this.watcher = Optional.empty();
                this.upstream = () -> fixed;
            }
        }

        /** The attempt budget a request starting now gets. */
        public Duration budget(WeightedBalancer balancer) {
            Duration learned = adaptive.timeout(latencyKey);
            Duration cap = balancer.spec().timeout().attemptCap();
            return learned.compareTo(cap) > 0 ? cap : learned;
        }

        public AdaptiveTimeout adaptive() {
            return adaptive;
        }
    }

    private static String routeKey(String routeId) {
        int hash = routeId.indexOf('#');
        return hash > 0 ? routeId.substring(0, hash) + "s/" + routeId.substring(hash + 1) : "routes/unknown";
    }

    // ------------------------------------------------------------------ one request

    /**
     * Proxies {@code request}; {@code permitted} says whether the breaker granted a permission that this call must
     * record.
     */
    public CompletionStage<LaneResponse> proxy(RequestView request, FallbackConfig config, RouteState state,
                                               String routeId, boolean permitted) {
        LaneRoute route = route(routeId, config);
        CompletableFuture<Optional<WeightedBalancer>> ready = route.watcher
                .filter(w -> !w.firstRead().isDone())
                // bounded: an unreachable etcd must not hold the request (the fallback answers instead)
                .map(w -> w.firstRead().copy().completeOnTimeout(null, FIRST_READ_WAIT.toMillis(),
                        TimeUnit.MILLISECONDS).thenApply(x -> route.upstream.get()))
                .orElseGet(() -> CompletableFuture.completedFuture(route.upstream.get()));
        if (ready.isDone()) {
            return start(request, config, state, routeId, permitted, route, ready.join());
        }
        // Waiting for the first read: a cancellation (the client went away) must still reach the call started later.
        CompletableFuture<LaneResponse> result = new CompletableFuture<>();
        ready.whenComplete((balancer, error) -> {
            if (result.isDone()) {
                release(state, permitted);
                return;
            }
            CompletableFuture<LaneResponse> call = start(request, config, state, routeId, permitted, route,
                    error == null ? balancer : Optional.empty());
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

    private CompletableFuture<LaneResponse> start(RequestView request, FallbackConfig config, RouteState state,
                                                  String routeId, boolean permitted, LaneRoute route,
                                                  Optional<WeightedBalancer> balancer) {
        if (balancer.isEmpty()) {
            release(state, permitted);
            return CompletableFuture.completedFuture(fallbackOr(request, config, state, routeId,
                    () -> problem(502, "Bad Gateway", "no upstream " + route.upstreamKey + " to proxy to",
                            "no_upstream")));
        }
        return new Call(request, config, state, routeId, permitted, route, balancer.get()).start();
    }

    private static void release(RouteState state, boolean permitted) {
        if (permitted) {
            state.record(Outcome.ignored(), Duration.ZERO);
        }
    }

    private LaneResponse fallbackOr(RequestView request, FallbackConfig config, RouteState state, String routeId,
                                    Supplier<LaneResponse> otherwise) {
        return fallbacks.answer(request, config, state, routeId).orElseGet(otherwise);
    }

    /** One attempt's result: the node and a response held up to its commit point. */
    record Attempted(UpstreamSpec.Node node, OutboundResponse response, RelayBody body) {
    }

    /** The no-node-left failure: every node was tried or is excluded. */
    static final class NoNodeLeftException extends RuntimeException {
        NoNodeLeftException(String upstream) {
            super("no node of " + upstream + " left to try", null, false, false);
        }
    }

    /** One request's state: the nodes tried, the attempts made; lives as long as the request. */
    private final class Call {
        private final RequestView request;
        private final FallbackConfig config;
        private final RouteState state;
        private final String routeId;
        private final boolean permitted;
        private final LaneRoute route;
        private final WeightedBalancer balancer;
        private final boolean idempotent;
        private final Set<UpstreamSpec.Node> tried = new HashSet<>();
        private final List<Attempted> attempts = new ArrayList<>();
        private final long start = ticker.nanoTime();
        private final byte[] body;
        private final Optional<Set<String>> downNodes;
        private volatile CompletableFuture<Attempted> chain;

        Call(RequestView request, FallbackConfig config, RouteState state, String routeId, boolean permitted,
             LaneRoute route, WeightedBalancer balancer) {
            this.request = request;
            this.config = config;
            this.state = state;
            this.routeId = routeId;
            this.permitted = permitted;
            this.route = route;
            this.balancer = balancer;
            this.idempotent = IDEMPOTENT.contains(request.method());
            this.body = request.body().map(Body::toByteArray).orElse(new byte[0]);
            this.downNodes = downNodes(config.healthGate(), route.upstreamKey);
        }

        CompletableFuture<LaneResponse> start() {
            Duration budget = route.budget(balancer);
            OutcomeClassifier<Attempted> classifier = this::classify;
            DeadlineCall<Attempted> one = this::attempt;
            // Hedging sends a second copy while the first may be in progress: idempotent requests only.
            DeadlineCall<Attempted> hedged = route.hedge.filter(h -> idempotent)
                    .map(h -> h.decorate(one, one, classifier)).orElse(one);
            DeadlineCall<Attempted> retried = route.retry.decorate(hedged, classifier);
            DeadlineCall<Attempted> bounded = Deadlines.withAttemptTimeout(retried, () -> budget, scheduler);
            CompletableFuture<Attempted> running = bounded.call(Deadline.never(ticker)).toCompletableFuture();
            chain = running;
            CompletableFuture<LaneResponse> answer = running.handle((attempted, error) -> finish(attempted,
                    error == null ? null : unwrap(error), budget));
            // The lane cancels the stage when the client goes away: stop the upstream work too.
            answer.whenComplete((r, e) -> {
                if (answer.isCancelled()) {
                    running.cancel(true);
                    abortAllBut(null);
                }
            });
            return answer;
        }

        private Optional<Set<String>> downNodes(HealthGate gate, String upstreamKey) {
            if (!gate.enabled()) {
                return Optional.empty();
            }
            Instant now = wallClock.instant();
            return health.get().upstream(upstreamKey)
                    .filter(h -> !h.generatedAt().plus(gate.maxAge()).isBefore(now))
                    .map(h -> {
                        Set<String> down = new HashSet<>();
                        h.nodes().forEach((node, nh) -> {
                            if (nh.failing(gate.errorRate(), gate.minRequests())) {
                                down.add(node);
                            }
                        });
                        return down;
                    });
        }

        private synchronized Optional<UpstreamSpec.Node> pick() {
            Set<String> down = downNodes.orElse(Set.of());
            Optional<UpstreamSpec.Node> node = balancer.pick(n -> tried.contains(n) || down.contains(n.hostPort()));
            if (node.isEmpty() && !down.isEmpty()) {
                // Every node left is marked down: like APISIX with all nodes unhealthy, try them anyway.
                node = balancer.pick(tried::contains);
            }
            node.ifPresent(tried::add);
            return node;
        }

        private synchronized boolean nodeLeft() {
            return balancer.spec().nodes().stream().anyMatch(n -> n.weight() > 0 && !tried.contains(n));
        }

        /** One attempt: pick a node, send, hold the response up to its commit point. */
        private CompletionStage<Attempted> attempt(Deadline deadline) {
            Optional<UpstreamSpec.Node> picked = pick();
            if (picked.isEmpty()) {
                return CompletableFuture.failedFuture(new NoNodeLeftException(route.upstreamKey));
            }
            UpstreamSpec.Node node = picked.get();
            long t0 = ticker.nanoTime();
            OutboundRequest out;
            try {
                out = outbound(node, deadline);
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(e);
            }
            CompletableFuture<Attempted> result = new CompletableFuture<>();
            CompletableFuture<OutboundResponse> sent = client.send(out);
            sent.whenComplete((response, error) -> {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    if (!result.isCancelled()) {
                        recordOutcome(node, Optional.empty(), t0, cause);
                    }
                    result.completeExceptionally(cause);
                    return;
                }
                boolean stream = isStream(response);
                boolean cacheable = config.goodStatuses().contains(response.status())
                        && config.methods().contains(request.method());
                RelayBody relay = new RelayBody(stream ? 0 : route.settings.commitBytes(),
                        cacheable ? config.cache().maxBodyBytes() : -1,
                        captured -> captured.ifPresent(b -> fallbacks.store(request, config, state,
                                response.status(), toHeaders(response), b)));
                Attempted attempted = new Attempted(node, response, relay);
                synchronized (this) {
                    attempts.add(attempted);
                }
                relay.committed().whenComplete((r, bodyError) -> {
                    if (bodyError != null) {
                        Throwable cause = unwrap(bodyError);
                        if (!result.isCancelled()) {
                            recordOutcome(node, Optional.of(response.status()), t0, cause);
                        }
                        result.completeExceptionally(cause);
                    } else {
                        recordOutcome(node, Optional.of(response.status()), t0, null);
                        if (!result.complete(attempted)) {
                            relay.abort();
                        }
                    }
                });
                response.body().subscribe(relay);
            });
            result.whenComplete((r, e) -> {
                if (result.isCancelled()) {
                    sent.cancel(true);
                    sent.thenAccept(OutboundResponse::abort);
                    if (e != null && deadline.isExpired()) {
                        recordOutcome(node, Optional.empty(), t0, new TimeoutException("attempt deadline"));
                    }
                }
            });
            return result;
        }

        private OutboundRequest outbound(UpstreamSpec.Node node, Deadline deadline) {
            UpstreamSpec spec = balancer.spec();
            OutboundRequest.Builder b = OutboundRequest.builder(request.method().name(), uri(spec.scheme(), node))
                    .idempotent(idempotent)
                    .readIdleTimeout(spec.timeout().read());
            long remaining = deadline.remainingNanos();
            if (remaining > 0 && remaining != Long.MAX_VALUE) {
                b.responseHeadTimeout(Duration.ofNanos(remaining));
            } else {
                b.responseHeadTimeout(spec.timeout().attemptCap());
            }
            for (Headers.Header h : request.headers()) {
                if (!HOP_BY_HOP.contains(h.name().toLowerCase(Locale.ROOT))) {
                    b.header(h.name(), h.value());
                }
            }
            if (body.length > 0 || request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT
                    || request.method() == HttpMethod.PATCH) {
                b.body(body);
            }
            return b.build();
        }

        private URI uri(String scheme, UpstreamSpec.Node node) {
            try {
                String path = new URI(null, null, request.path(), null).getRawPath();
                StringBuilder s = new StringBuilder(scheme).append("://").append(node.hostPort()).append(path);
                QueryArgs args = request.args();
                if (!args.isEmpty()) {
                    char sep = '?';
                    for (QueryArgs.Arg a : args.entries()) {
                        s.append(sep).append(URLEncoder.encode(a.name(), StandardCharsets.UTF_8));
                        a.value().ifPresent(v -> s.append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
                        sep = '&';
                    }
                }
                return URI.create(s.toString());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("path: not encodable (" + e.getReason() + ")");
            }
        }

        /**
         * Retry and hedge decisions. Good and ignored statuses end the call. A failure status, or a failure before
         * the answer, is worth another node when one is left and the request may be sent again: always when it never
         * reached the backend, otherwise only for idempotent methods.
         */
        private Outcome classify(Attempted attempted, Throwable error) {
            if (error == null) {
                if (!config.failureStatuses().contains(attempted.response().status())) {
                    return Outcome.success();
                }
                return idempotent && nodeLeft() ? Outcome.retryable() : Outcome.failure();
            }
            if (error instanceof DeadlineExceededException || error instanceof NoNodeLeftException
                    || error instanceof CallNotPermittedException) {
                return Outcome.failure();
            }
            if (error instanceof OutboundException oe) {
                boolean neverSent = NEVER_SENT.contains(oe.kind());
                return (neverSent || idempotent) && nodeLeft() ? Outcome.retryable() : Outcome.failure();
            }
            return Outcome.failure();
        }

        private LaneResponse finish(Attempted attempted, Throwable error, Duration budget) {
            Duration latency = Duration.ofNanos(ticker.nanoTime() - start);
            abortAllBut(attempted);
            if (error instanceof DeadlineExceededException) {
                // Keeps the timeout from locking itself in after a shift upwards (see AdaptiveTimeout).
                route.adaptive.record(route.latencyKey, budget);
            } else if (attempted != null && !config.failureStatuses().contains(attempted.response().status())) {
                route.adaptive.record(route.latencyKey, latency);
            }
            if (attempted != null) {
                int status = attempted.response().status();
                Outcome outcome = config.goodStatuses().contains(status) ? Outcome.success()
                        : config.failureStatuses().contains(status) ? Outcome.failure() : Outcome.ignored();
                if (permitted) {
                    state.record(outcome, latency);
                }
                if (outcome.isFailure() && config.replaceFailures()) {
                    Optional<LaneResponse> fallback = fallbacks.answer(request, config, state, routeId);
                    if (fallback.isPresent()) {
                        attempted.body().abort();
                        return timed(fallback.get(), latency, budget);
                    }
                }
                return answer(attempted);
            }
            if (permitted) {
                state.record(error instanceof NoNodeLeftException ? Outcome.ignored() : Outcome.failure(), latency);
            }
            boolean timedOut = error instanceof DeadlineExceededException
                    || error instanceof OutboundException oe && (oe.kind() == OutboundException.Kind.RESPONSE_HEAD_TIMEOUT
                    || oe.kind() == OutboundException.Kind.READ_IDLE_TIMEOUT
                    || oe.kind() == OutboundException.Kind.CONNECT_TIMEOUT);
            LOG.debug("adaptive-fallback lane {}: {} after {} ms", routeId, error, latency.toMillis());
            return timed(fallbackOr(request, config, state, routeId, () -> timedOut
                    ? problem(504, "Gateway Timeout", "the upstream did not answer within " + budget.toMillis()
                            + " ms", "upstream_timeout")
                    : problem(502, "Bad Gateway", "the upstream failed before answering", "upstream_failed")),
                    latency, budget);
        }

        /**
         * Adds {@code Server-Timing: a6-fallback;dur=<waited ms>, a6-budget;dur=<budget ms>} to an answer the lane
         * made itself: how long the lane spent on the upstream before answering, against the budget it had.
         */
        private LaneResponse timed(LaneResponse response, Duration waited, Duration budget) {
            if (!(response instanceof LaneResponse.Whole whole)) {
                return response;
            }
            String timing = String.format(Locale.ROOT, "a6-fallback;dur=%.1f, a6-budget;dur=%d",
                    waited.toNanos() / 1e6, budget.toMillis());
            return LaneResponse.whole(whole.status(), whole.headers().plus("server-timing", timing), whole.body());
        }

        private void abortAllBut(Attempted winner) {
            List<Attempted> all;
            synchronized (this) {
                all = List.copyOf(attempts);
            }
            for (Attempted a : all) {
                if (a != winner) {
                    a.body().abort();
                }
            }
        }

        private void recordOutcome(UpstreamSpec.Node node, Optional<Integer> status, long t0, Throwable error) {
            OutcomeRecorder.Result result;
            if (error == null) {
                result = OutcomeRecorder.Outcome.classify(status.orElse(0));
            } else if (error instanceof TimeoutException || error instanceof OutboundException oe
                    && (oe.kind() == OutboundException.Kind.RESPONSE_HEAD_TIMEOUT
                    || oe.kind() == OutboundException.Kind.READ_IDLE_TIMEOUT
                    || oe.kind() == OutboundException.Kind.CONNECT_TIMEOUT)) {
                result = OutcomeRecorder.Result.TIMEOUT;
            } else if (error instanceof OutboundException oe && NEVER_SENT.contains(oe.kind())) {
                result = OutcomeRecorder.Result.CONNECT_ERROR;
            } else if (error instanceof OutboundException oe && oe.kind() == OutboundException.Kind.CANCELLED) {
                return; // a hedge's loser or a client gone: says nothing about the node
            } else {
                result = OutcomeRecorder.Result.OTHER_ERROR;
            }
            try {
                outcomes.get().record(new OutcomeRecorder.Outcome(route.upstreamKey, node.hostPort(), status,
                        Duration.ofNanos(Math.max(0, ticker.nanoTime() - t0)), result));
            } catch (RuntimeException e) {
                LOG.debug("outcome recorder failed", e);
            }
        }
    }

    private static LaneResponse answer(Attempted attempted) {
        OutboundResponse response = attempted.response();
        Headers headers = toHeaders(response).without("content-length");
        RelayBody relay = attempted.body();
        if (relay.isComplete()) {
            return LaneResponse.whole(response.status(), headers, relay.wholeBody());
        }
        return LaneResponse.streamed(response.status(), headers, relay);
    }

    static Headers toHeaders(OutboundResponse response) {
        List<Headers.Header> list = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
            if (NOT_RELAYED.contains(e.getKey())) {
                continue;
            }
            for (String v : e.getValue()) {
                list.add(new Headers.Header(e.getKey(), v));
            }
        }
        return Headers.of(list);
    }

    private static boolean isStream(OutboundResponse response) {
        return response.headers().firstValue("content-type")
                .map(t -> t.toLowerCase(Locale.ROOT).startsWith("text/event-stream")).orElse(false)
                || response.headers().firstValue("x-accel-buffering").map(v -> v.trim().equalsIgnoreCase("no"))
                .orElse(false);
    }

    static LaneResponse problem(int status, String title, String detail, String reason) {
        String json = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\"", "'") + "\",\"reason\":\"" + reason + "\"}";
        return LaneResponse.whole(status, Headers.of("content-type", "application/problem+json"), Body.of(json));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
