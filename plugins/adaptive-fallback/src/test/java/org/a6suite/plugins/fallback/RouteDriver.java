package org.a6suite.plugins.fallback;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.plugins.fallback.internal.RouteState;
import org.a6suite.resilience.testing.ManualTicker;

/** Plays APISIX for one route: pre-req, then (if let through) post-resp with the variables APISIX would give. */
final class RouteDriver {

    final ManualTicker ticker = new ManualTicker();
    final AdaptiveFallbackPlugin plugin = new AdaptiveFallbackPlugin(ticker);
    private final TestPluginEnvironment env = TestPluginEnvironment.withEnv(Map.of());
    final List<OutcomeRecorder.Outcome> outcomes = env.outcomes;
    /** What the runner's health reporter would publish; tests replace it. */
    volatile org.a6suite.plugin.HealthSnapshots health = org.a6suite.plugin.HealthSnapshots.NONE;

    final FallbackConfig config;
    final String routeId;

    RouteDriver(String configJson) {
        this("route#1", configJson);
    }

    RouteDriver(String routeId, String configJson) {
        this.routeId = routeId;
        try {
            this.config = plugin.parseConfig(configJson);
        } catch (PluginConfigException e) {
            throw new AssertionError(e);
        }
        env.health(key -> health.upstream(key));
        plugin.start(env);
    }

    RouteState state() {
        return plugin.routeState(routeId).orElseThrow();
    }

    /** A request as APISIX sends it to pre-req. */
    static Req get(String path) {
        return new Req(HttpMethod.GET, path, new ArrayList<>(), new ArrayList<>());
    }

    record Req(HttpMethod method, String path, List<QueryArgs.Arg> args, List<Headers.Header> headers) {
        Req arg(String name, String value) {
            args.add(QueryArgs.Arg.of(name, value));
            return this;
        }

        Req header(String name, String value) {
            headers.add(new Headers.Header(name, value));
            return this;
        }

        static Req of(HttpMethod method, String path) {
            return new Req(method, path, new ArrayList<>(), new ArrayList<>());
        }
    }

    /** What the client saw. */
    record Result(boolean reachedUpstream, int status, Headers headers, Body body) {
        Optional<String> header(String name) {
            return headers.first(name);
        }
    }

    RequestDecision preReq(Req req) {
        RequestView view = RequestView.builder(req.method, req.path)
                .args(QueryArgs.of(req.args))
                .headers(Headers.of(req.headers))
                .build();
        return plugin.onRequest(view, config, context("ext-plugin-pre-req"))
                .toCompletableFuture()
                .join();
    }

    ResponseDecision postResp(Req req, Optional<String> id, int status, Headers headers, String body) {
        Map<String, String> vars = new HashMap<>();
        vars.put("request_method", req.method.name());
        vars.put("uri", req.path);
        vars.put("balancer_ip", "127.0.0.1");
        vars.put("balancer_port", "8081");
        id.ifPresent(v -> vars.put("http_x_a6_fallback_id", v));
        for (Headers.Header h : req.headers) {
            vars.merge("http_" + h.name().toLowerCase().replace('-', '_'), h.value(), (a, b) -> a + ", " + b);
        }
        for (QueryArgs.Arg a : req.args) {
            vars.putIfAbsent("arg_" + a.name(), a.value().orElse(""));
        }
        ResponseView view = new ResponseView(status, headers, vars, Optional.of(Body.of(body)));
        return plugin.onResponse(view, config, context("ext-plugin-post-resp"))
                .toCompletableFuture()
                .join();
    }

    /** One full request: pre-req, and if it proceeds, the upstream answers {@code status} and post-resp runs. */
    Result call(Req req, int status, String body) {
        return call(req, status, Headers.of("Content-Type", "application/json"), body);
    }

    Result call(Req req, int status, Headers upstreamHeaders, String body) {
        RequestDecision d = preReq(req);
        if (d instanceof RequestDecision.Stop stop) {
            return new Result(false, stop.status(), stop.headers(), stop.body().orElse(Body.EMPTY));
        }
        Optional<String> id = d instanceof RequestDecision.Rewrite r
                ? r.headers().stream()
                        .filter(h -> h.name().equals("x-a6-fallback-id"))
                        .findFirst()
                        .flatMap(RequestDecision.Rewrite.HeaderEdit::value)
                : Optional.empty();
        ResponseDecision rd = postResp(req, id, status, upstreamHeaders, body);
        if (rd instanceof ResponseDecision.Modify m) {
            return new Result(
                    true,
                    m.status().orElse(status),
                    m.headers().orElse(upstreamHeaders),
                    m.body().orElse(Body.of(body)));
        }
        return new Result(true, status, upstreamHeaders, Body.of(body));
    }

    /** A request let through in pre-req whose upstream never answers (post-resp is never called). */
    boolean callHanging(Req req) {
        return !(preReq(req) instanceof RequestDecision.Stop);
    }

    private CallContext context(String phase) {
        String[] parts = routeId.split("#");
        return new CallContext(
                Optional.of(parts[0] + "#" + parts[1] + "#" + phase + "#1"),
                1,
                CallContext.Phase.fromRouteKey("#" + phase + "#"));
    }
}
