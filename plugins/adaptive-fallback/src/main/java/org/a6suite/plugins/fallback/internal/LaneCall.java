package org.a6suite.plugins.fallback.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.http.OutboundException;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.plugins.fallback.HealthGate;
import org.a6suite.resilience.CallNotPermittedException;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.DeadlineCall;
import org.a6suite.resilience.DeadlineExceededException;
import org.a6suite.resilience.Deadlines;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.OutcomeClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane request's attempt scheduling: [ retry on another node ( hedge ( attempt ) ) ] within the attempt budget,
 * then the decision between the upstream's answer and the fallback. Remembers the nodes tried and every attempt made
 * (so the losers can be given up); lives as long as the request.
 *
 * <p>An attempt picks a node by smooth weighted round robin, skipping nodes already tried and nodes the health data
 * marks failing; if every node left is marked failing it tries them anyway, as APISIX does with all nodes unhealthy.
 */
final class LaneCall implements UpstreamExchange.Heads {

    private static final Logger LOG = LoggerFactory.getLogger(LaneCall.class);

    private final ProxyEnvironment env;
    private final RequestView request;
    private final FallbackConfig config;
    private final RouteState state;
    private final String routeId;
    private final boolean permitted;
    private final LaneRoute route;
    private final WeightedBalancer balancer;
    private final PreparedRequest prepared;
    private final IllegalArgumentException unsendable;
    private final boolean idempotent;
    private final Set<UpstreamSpec.Node> tried = new HashSet<>(4);
    private final List<Attempted> attempts = new ArrayList<>(2);
    private final long start;
    private final Optional<Set<String>> downNodes;

    LaneCall(
            ProxyEnvironment env,
            RequestView request,
            FallbackConfig config,
            RouteState state,
            String routeId,
            boolean permitted,
            LaneRoute route,
            WeightedBalancer balancer) {
        this.env = env;
        this.start = env.ticker().nanoTime();
        this.request = request;
        this.config = config;
        this.state = state;
        this.routeId = routeId;
        this.permitted = permitted;
        this.route = route;
        this.balancer = balancer;
        PreparedRequest p = null;
        IllegalArgumentException bad = null;
        try {
            p = PreparedRequest.of(request);
        } catch (IllegalArgumentException e) {
            bad = e; // every attempt fails with it: a failure of the request, not of a node
        }
        this.prepared = p;
        this.unsendable = bad;
        this.idempotent = PreparedRequest.isIdempotent(request.method());
        this.downNodes = downNodes(config.healthGate(), route.upstreamKey);
    }

    CompletableFuture<LaneResponse> start() {
        Duration budget = route.budget(balancer);
        OutcomeClassifier<Attempted> classifier = this::classify;
        DeadlineCall<Attempted> one = this::attempt;
        // Hedging sends a second copy while the first may be in progress: idempotent requests only.
        DeadlineCall<Attempted> hedged = route.hedge
                .filter(h -> idempotent)
                .map(h -> h.decorate(one, one, classifier))
                .orElse(one);
        DeadlineCall<Attempted> retried = route.retry.decorate(hedged, classifier);
        DeadlineCall<Attempted> bounded = Deadlines.withAttemptTimeout(retried, () -> budget, env.scheduler());
        CompletableFuture<Attempted> running =
                bounded.call(Deadline.never(env.ticker())).toCompletableFuture();
        CompletableFuture<LaneResponse> answer = running.handle(
                (attempted, error) -> finish(attempted, error == null ? null : UpstreamExchange.unwrap(error), budget));
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
        Instant now = env.wallClock().instant();
        return env.health()
                .get()
                .upstream(upstreamKey)
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
            node = balancer.pick(tried::contains);
        }
        node.ifPresent(tried::add);
        return node;
    }

    private synchronized boolean nodeLeft() {
        for (UpstreamSpec.Node n : balancer.spec().nodes()) {
            if (n.weight() > 0 && !tried.contains(n)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized void headArrived(Attempted attempted) {
        attempts.add(attempted);
    }

    /** One attempt: pick a node, send, hold the response up to its commit point. */
    private CompletionStage<Attempted> attempt(Deadline deadline) {
        Optional<UpstreamSpec.Node> picked = pick();
        if (picked.isEmpty()) {
            return CompletableFuture.failedFuture(new NoNodeLeftException(route.upstreamKey));
        }
        if (unsendable != null) {
            return CompletableFuture.failedFuture(unsendable);
        }
        return UpstreamExchange.start(
                env, route, config, request, state, prepared, balancer.spec(), picked.get(), deadline, this);
    }

    /**
     * Retry and hedge decisions. Good and ignored statuses end the call. A failure status, or a failure before
     * the answer, is worth another node when one is left and the request may be sent again: always when it never
     * reached the backend, otherwise only for idempotent methods.
     */
    private Outcome classify(Attempted attempted, Throwable error) {
        if (error == null) {
            if (!config.failureStatuses().contains(attempted.status())) {
                return Outcome.success();
            }
            return idempotent && nodeLeft() ? Outcome.retryable() : Outcome.failure();
        }
        if (error instanceof DeadlineExceededException
                || error instanceof NoNodeLeftException
                || error instanceof CallNotPermittedException) {
            return Outcome.failure();
        }
        if (error instanceof OutboundException oe) {
            boolean neverSent = NodeOutcomes.NEVER_SENT.contains(oe.kind());
            return (neverSent || idempotent) && nodeLeft() ? Outcome.retryable() : Outcome.failure();
        }
        return Outcome.failure();
    }

    /** The commit decision: the upstream's answer, or (failure status, error, budget spent) the fallback. */
    private LaneResponse finish(Attempted attempted, Throwable error, Duration budget) {
        Duration latency = Duration.ofNanos(env.ticker().nanoTime() - start);
        abortAllBut(attempted);
        if (error instanceof DeadlineExceededException) {
            // Keeps the timeout from locking itself in after a shift upwards (see AdaptiveTimeout).
            route.adaptive.record(route.latencyKey, budget);
        } else if (attempted != null && !config.failureStatuses().contains(attempted.status())) {
            route.adaptive.record(route.latencyKey, latency);
        }
        if (attempted != null) {
            int status = attempted.status();
            Outcome outcome = config.goodStatuses().contains(status)
                    ? Outcome.success()
                    : config.failureStatuses().contains(status) ? Outcome.failure() : Outcome.ignored();
            if (permitted) {
                state.record(outcome, latency);
            }
            if (outcome.isFailure() && config.replaceFailures()) {
                Optional<LaneResponse> fallback = env.fallbacks().answer(request, config, state, routeId);
                if (fallback.isPresent()) {
                    attempted.body().abort();
                    return LaneAnswers.timed(fallback.get(), latency, budget);
                }
            }
            return LaneAnswers.upstream(attempted);
        }
        if (permitted) {
            state.record(error instanceof NoNodeLeftException ? Outcome.ignored() : Outcome.failure(), latency);
        }
        boolean timedOut = error instanceof DeadlineExceededException || NodeOutcomes.isTimeout(error);
        LOG.debug("adaptive-fallback lane {}: {} after {} ms", routeId, error, latency.toMillis());
        return LaneAnswers.timed(
                env.fallbacks()
                        .answer(request, config, state, routeId)
                        .orElseGet(() -> timedOut
                                ? LaneAnswers.problem(
                                        504,
                                        "Gateway Timeout",
                                        "the upstream did not answer within " + budget.toMillis() + " ms",
                                        "upstream_timeout")
                                : LaneAnswers.problem(
                                        502, "Bad Gateway", "the upstream failed before answering", "upstream_failed")),
                latency,
                budget);
    }

    private void abortAllBut(Attempted winner) {
        List<Attempted> all;
        synchronized (this) {
            if (attempts.isEmpty() || attempts.size() == 1 && attempts.get(0) == winner) {
                return;
            }
            all = List.copyOf(attempts);
        }
        for (Attempted a : all) {
            if (a != winner) {
                a.body().abort();
            }
        }
    }

    /** The no-node-left failure: every node was tried or is excluded. */
    static final class NoNodeLeftException extends RuntimeException {
        NoNodeLeftException(String upstream) {
            super("no node of " + upstream + " left to try", null, false, false);
        }
    }
}
