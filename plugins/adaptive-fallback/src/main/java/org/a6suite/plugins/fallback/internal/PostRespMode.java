package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.resilience.Outcome;

/**
 * The plugin on routes APISIX proxies itself: {@code ext-plugin-pre-req} admits a request through the breaker and
 * tags it for post-resp, or answers from the fallback while the circuit is open; {@code ext-plugin-post-resp}
 * records the outcome (breaker, the runner's outcome stream), caches good responses within bounds and replaces
 * failure responses with the fallback.
 */
public final class PostRespMode {

    public static final String VAR_BALANCER_IP = "balancer_ip";
    public static final String VAR_BALANCER_PORT = "balancer_port";
    public static final String VAR_UPSTREAM_RESPONSE_TIME = "upstream_response_time";
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "keep-alive",
            "transfer-encoding",
            "content-length",
            "te",
            "trailer",
            "upgrade",
            "proxy-connection",
            "proxy-authenticate",
            "proxy-authorization");

    private final CachePolicy cache;
    private final Supplier<OutcomeRecorder> outcomes;
    private final String idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    private final AtomicLong ids = new AtomicLong();

    public PostRespMode(CachePolicy cache, Supplier<OutcomeRecorder> outcomes) {
        this.cache = requireNonNull(cache, "cache");
        this.outcomes = requireNonNull(outcomes, "outcomes");
    }

    /** The variables post-resp needs: the cache key's, the tracking id, the picked node, its response time. */
    public static Set<String> requiredVars(FallbackConfig config) {
        List<String> vars = new ArrayList<>(RequestFacts.varsFor(config.key()));
        vars.addAll(List.of(RouteState.ID_VAR, VAR_BALANCER_IP, VAR_BALANCER_PORT, VAR_UPSTREAM_RESPONSE_TIME));
        return Set.copyOf(vars);
    }

    /** Pre-req: admitted requests go on, tracked; rejected ones get the fallback or go on untracked. */
    public RequestDecision onRequest(
            RequestView request, FallbackConfig config, RouteState state, String routeId, boolean upstreamDown) {
        if (!upstreamDown && state.admit(config.halfOpenShare()) == RouteState.Admission.ADMIT) {
            String id = idPrefix + "-" + Long.toHexString(ids.incrementAndGet());
            if (state.track(id)) {
                return RequestDecision.rewrite()
                        .setHeader(RouteState.ID_HEADER, id)
                        .build();
            }
            return RequestDecision.proceed();
        }
        // No fallback configured or cached: the request goes to the upstream untracked (it holds no permission).
        return cache.stop(request, config, state, routeId).orElse(RequestDecision.proceed());
    }

    /** Post-resp: record, cache, replace. */
    public ResponseDecision onResponse(ResponseView response, FallbackConfig config, RouteState state, String routeId) {
        int status = response.status();
        Outcome outcome = config.goodStatuses().contains(status)
                ? Outcome.success()
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
            cache.store(state, config, facts.get(), response);
        }
        if (config.failureStatuses().contains(status) && config.replaceFailures()) {
            Optional<ResponseDecision> replacement = cache.replacement(config, state, facts, routeId);
            if (replacement.isPresent()) {
                return replacement.get();
            }
        }
        return keepUpstreamHeaders(response);
    }

    /**
     * The reply for a response the plugin leaves alone. A plain pass (empty reply) makes APISIX copy the upstream
     * headers minus a list that includes Content-Type, so clients would get {@code text/plain; charset=utf-8} for a
     * JSON answer (transcript s05b). Sending the upstream's own end-to-end headers back replaces the set with itself
     * and keeps the upstream status and streamed body. Hop-by-hop and framing headers are left to nginx.
     */
    public static ResponseDecision keepUpstreamHeaders(ResponseView response) {
        var kept = response.headers().entries().stream()
                .filter(h -> !HOP_BY_HOP.contains(h.name().toLowerCase(Locale.ROOT)))
                .toList();
        if (kept.isEmpty()) {
            return ResponseDecision.pass();
        }
        return ResponseDecision.modify().headers(Headers.of(kept)).build();
    }

    private void recordOutcome(
            ResponseView response, FallbackConfig config, String routeId, int status, Duration latency) {
        Optional<String> ip = response.var(VAR_BALANCER_IP);
        Optional<String> port = response.var(VAR_BALANCER_PORT);
        Optional<String> upstreamKey = config.upstreamKey().or(() -> defaultUpstreamKey(routeId));
        if (ip.isEmpty() || port.isEmpty() || upstreamKey.isEmpty()) {
            return; // without the picked node the outcome cannot be attributed
        }
        String host = ip.get().contains(":") && !ip.get().startsWith("[") ? "[" + ip.get() + "]" : ip.get();
        outcomes.get()
                .record(new OutcomeRecorder.Outcome(
                        upstreamKey.get(),
                        host + ":" + port.get(),
                        Optional.of(status),
                        latency,
                        OutcomeRecorder.Outcome.classify(status)));
    }

    /** {@code route#7} gives {@code routes/7}, {@code service#3} gives {@code services/3}. */
    public static Optional<String> defaultUpstreamKey(String routeId) {
        int hash = routeId.indexOf('#');
        if (hash <= 0 || hash == routeId.length() - 1 || routeId.equals(DEFAULT_ROUTE)) {
            return Optional.empty();
        }
        return Optional.of(routeId.substring(0, hash) + "s/" + routeId.substring(hash + 1));
    }

    /** The route id used when APISIX sent no route key. */
    public static final String DEFAULT_ROUTE = "route#unknown";

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
}
