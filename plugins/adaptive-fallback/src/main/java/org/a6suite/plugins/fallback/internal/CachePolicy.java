package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.plugins.fallback.StaticResponse;

/**
 * What is stored as a route's last good answer and what answers instead of the upstream: the cached answer for the
 * request's key ({@code X-A6-Fallback: cache}, {@code Age}), else the static one ({@code X-A6-Fallback: static}).
 * The same rules in each form the plugin answers in: a pre-req Stop, a post-resp replacement, a lane answer.
 *
 * <p>Stored: good statuses of cached methods, a keyable request, a body within {@code cache.max_body_bytes}, no
 * {@code Set-Cookie} unless {@code cache_set_cookie}, nothing the upstream marked {@code no-store}, {@code private}
 * or {@code Vary: *}.
 */
public final class CachePolicy implements LaneProxy.Fallbacks {

    private final Supplier<PluginMetrics> metrics;

    public CachePolicy(Supplier<PluginMetrics> metrics) {
        this.metrics = requireNonNull(metrics, "metrics");
    }

    // ------------------------------------------------------------------ reading

    /** The cached answer for {@code facts}, if its method is cached and its key can be built. */
    public Optional<CachedResponse> cachedFor(RouteState state, FallbackConfig config, RequestFacts facts) {
        HttpMethod method;
        try {
            method = HttpMethod.valueOf(facts.method());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!config.methods().contains(method) || !facts.keyable(config.key())) {
            return Optional.empty();
        }
        return state.cached(facts.cacheKey());
    }

    /** Pre-req's answer without the upstream: a Stop from the cache, else from the static response. */
    public Optional<RequestDecision> stop(
            RequestView request, FallbackConfig config, RouteState state, String routeId) {
        RequestFacts facts = RequestFacts.of(request, config.key());
        return cachedFor(state, config, facts)
                .<RequestDecision>map(c -> stopFrom(c, state.now(), routeId))
                .or(() -> config.staticResponse().map(s -> stopFrom(s, routeId)));
    }

    /**
     * Post-resp's replacement of a failure response: the cached or static answer, unless it has no body (nginx would
     * then proxy again, see apisix#7792), which a HEAD request does not mind.
     */
    public Optional<ResponseDecision> replacement(
            FallbackConfig config, RouteState state, Optional<RequestFacts> facts, String routeId) {
        boolean head = facts.map(f -> f.method().equals("HEAD")).orElse(false);
        return facts.flatMap(f -> cachedFor(state, config, f))
                .filter(c -> head || !c.body().isEmpty())
                .map(c -> modifyFrom(c, state.now(), routeId))
                .or(() -> config.staticResponse()
                        .filter(s -> head || !s.body().isEmpty())
                        .map(s -> modifyFrom(s, routeId)));
    }

    @Override
    public Optional<LaneResponse> answer(RequestView request, FallbackConfig config, RouteState state, String routeId) {
        RequestFacts facts = RequestFacts.of(request, config.key());
        Optional<LaneResponse> cached = cachedFor(state, config, facts).map(c -> {
            served(routeId, "cache");
            return (LaneResponse) LaneResponse.whole(
                    c.status(),
                    c.headers()
                            .with(AdaptiveFallbackPlugin.MARK_HEADER, "cache")
                            .with("Age", Long.toString(c.ageSeconds(state.now()))),
                    c.body());
        });
        return cached.or(() -> config.staticResponse().map(s -> {
            served(routeId, "static");
            return LaneResponse.whole(
                    Math.max(200, s.status()),
                    s.headers()
                            .with("content-type", s.contentType())
                            .with(AdaptiveFallbackPlugin.MARK_HEADER, "static"),
                    s.body());
        }));
    }

    // ------------------------------------------------------------------ storing

    @Override
    public void store(
            RequestView request, FallbackConfig config, RouteState state, int status, Headers headers, Body body) {
        RequestFacts facts = RequestFacts.of(request, config.key());
        if (!config.goodStatuses().contains(status)
                || !config.methods().contains(request.method())
                || !facts.keyable(config.key())
                || body.size() > config.cache().maxBodyBytes()
                || (headers.contains("set-cookie") && !config.cache().cacheSetCookie())
                || forbidsStoring(headers)) {
            return;
        }
        state.store(facts.cacheKey(), CachedResponse.of(status, headers, body, state.now()));
    }

    /** Post-resp: stores a good {@code response} to {@code facts}' request when the rules allow. */
    public void store(RouteState state, FallbackConfig config, RequestFacts facts, ResponseView response) {
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
    static boolean forbidsStoring(Headers headers) {
        for (String cc : headers.all("cache-control")) {
            String lower = cc.toLowerCase(Locale.ROOT);
            if (lower.contains("no-store") || lower.contains("private")) {
                return true;
            }
        }
        return headers.all("vary").stream().anyMatch(v -> v.trim().equals("*"));
    }

    // ------------------------------------------------------------------ the answer's forms

    private RequestDecision stopFrom(CachedResponse cached, long now, String routeId) {
        RequestDecision.Stop.Builder stop = RequestDecision.stop(cached.status());
        cached.headers().forEach(h -> stop.header(h.name(), h.value()));
        stop.header(AdaptiveFallbackPlugin.MARK_HEADER, "cache").header("Age", Long.toString(cached.ageSeconds(now)));
        served(routeId, "cache");
        return stop.body(cached.body()).build();
    }

    private RequestDecision stopFrom(StaticResponse s, String routeId) {
        RequestDecision.Stop.Builder stop = RequestDecision.stop(s.status()).header("content-type", s.contentType());
        s.headers().forEach(h -> stop.header(h.name(), h.value()));
        stop.header(AdaptiveFallbackPlugin.MARK_HEADER, "static");
        served(routeId, "static");
        return stop.body(s.body()).build();
    }

    private ResponseDecision modifyFrom(CachedResponse cached, long now, String routeId) {
        Headers headers = cached.headers()
                .with(AdaptiveFallbackPlugin.MARK_HEADER, "cache")
                .with("Age", Long.toString(cached.ageSeconds(now)));
        served(routeId, "cache");
        return ResponseDecision.modify()
                .status(cached.status())
                .headers(headers)
                .body(cached.body())
                .build();
    }

    private ResponseDecision modifyFrom(StaticResponse s, String routeId) {
        Headers headers =
                s.headers().with("content-type", s.contentType()).with(AdaptiveFallbackPlugin.MARK_HEADER, "static");
        served(routeId, "static");
        return ResponseDecision.modify()
                .status(s.status())
                .headers(headers)
                .body(s.body())
                .build();
    }

    private void served(String routeId, String kind) {
        metrics.get()
                .increment(
                        "a6_fallback_served_total",
                        "Responses answered by adaptive-fallback instead of the upstream",
                        Map.of("route", routeId, "kind", kind),
                        1);
    }
}
