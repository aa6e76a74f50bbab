package org.a6suite.plugins.fallback.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.resilience.AdaptiveTimeout;
import org.a6suite.resilience.AdaptiveTimeoutConfig;
import org.a6suite.resilience.Breaker;
import org.a6suite.resilience.BreakerConfig;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.DeadlineCall;
import org.a6suite.resilience.Decorators;
import org.a6suite.resilience.OutcomeClassifier;
import org.a6suite.resilience.Retry;
import org.a6suite.resilience.RetryBudget;
import org.a6suite.resilience.RetryBudgetConfig;
import org.a6suite.resilience.RetryConfig;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-call cost of the plugin's two phases and of the toolkit's full decorator stack around an already-completed
 * call (so only the decorators are measured). Not run by the build; see docs/plugins/adaptive-fallback.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FallbackBench {

    private AdaptiveFallbackPlugin plugin;
    private FallbackConfig config;
    private RequestView request;
    private CallContext pre;
    private CallContext post;
    private Map<String, String> vars;
    private Headers upstreamHeaders;
    private Body body;
    private AdaptiveFallbackPlugin openPlugin;
    private DeadlineCall<String> bare;
    private DeadlineCall<String> stack;
    private Ticker ticker;

    @Setup
    public void setUp() throws Exception {
        plugin = new AdaptiveFallbackPlugin();
        config = plugin.parseConfig("{\"key\":{\"args\":[\"page\"]},\"static\":{\"body\":\"{}\"}}");
        request = RequestView.builder(HttpMethod.GET, "/items/42")
                .headers(Headers.of("host", "shop.example", "accept", "application/json"))
                .build();
        pre = new CallContext(Optional.of("route#1#ext-plugin-pre-req#1"), 1, CallContext.Phase.PRE_REQ);
        post = new CallContext(Optional.of("route#1#ext-plugin-post-resp#1"), 1, CallContext.Phase.POST_RESP);
        vars = new HashMap<>(Map.of(
                "request_method", "GET", "uri", "/items/42", "balancer_ip", "127.0.0.1", "balancer_port", "8081"));
        upstreamHeaders = Headers.of("Content-Type", "application/json", "X-Origin", "b1");
        body = Body.of("{\"id\":42,\"name\":\"widget\",\"price\":9.5}");

        openPlugin = new AdaptiveFallbackPlugin();
        openPlugin
                .onResponse(new ResponseView(200, upstreamHeaders, vars, Optional.of(body)), config, post)
                .toCompletableFuture()
                .join();
        openPlugin.routeState("route#1").orElseThrow().breaker().unwrap().transitionToForcedOpenState();

        ticker = Ticker.systemTicker();
        bare = deadline -> CompletableFuture.completedFuture("ok");
        Scheduler scheduler = Scheduler.shared();
        stack = Decorators.of(bare)
                .withClassifier(OutcomeClassifier.<String>ofDefaults())
                .withTicker(ticker)
                .withAdaptiveTimeout(AdaptiveTimeout.of(AdaptiveTimeoutConfig.DEFAULT, ticker), "bench", scheduler)
                .withBreaker(Breaker.of("bench", BreakerConfig.DEFAULT, ticker))
                .withRetry(Retry.of(
                        RetryConfig.DEFAULT,
                        Optional.of(RetryBudget.of(RetryBudgetConfig.DEFAULT, ticker)),
                        new Random(),
                        scheduler))
                .withTotalTimeout(Duration.ofSeconds(55), scheduler)
                .withFallback(cause -> true, (cause, d) -> CompletableFuture.completedFuture("fallback"))
                .get();
    }

    /** Closed circuit: pre-req lets the request through (tagged), post-resp records and caches the answer. */
    @Benchmark
    public ResponseDecision requestRoundTripClosed() {
        RequestDecision d =
                plugin.onRequest(request, config, pre).toCompletableFuture().join();
        String id = ((RequestDecision.Rewrite) d).headers().get(0).value().orElseThrow();
        Map<String, String> v = new HashMap<>(vars);
        v.put("http_x_a6_fallback_id", id);
        return plugin.onResponse(new ResponseView(200, upstreamHeaders, v, Optional.of(body)), config, post)
                .toCompletableFuture()
                .join();
    }

    /**
     * Closed circuit, post-resp alone (a response without the pre-req tag: records the outcome and caches it), so
     * that the pre-req share of {@link #requestRoundTripClosed()} can be told apart. Pre-req alone cannot be looped:
     * every request it lets through is tracked until a post-resp call, and unanswered ones would open the circuit.
     */
    @Benchmark
    public ResponseDecision postRespOnlyClosed() {
        return plugin.onResponse(new ResponseView(200, upstreamHeaders, vars, Optional.of(body)), config, post)
                .toCompletableFuture()
                .join();
    }

    /** Open circuit: pre-req answers from the cache. */
    @Benchmark
    public RequestDecision preReqOpenFromCache() {
        return openPlugin.onRequest(request, config, pre).toCompletableFuture().join();
    }

    @Benchmark
    public String bareCall() {
        return bare.call(Deadline.never(ticker)).toCompletableFuture().join();
    }

    /** Adaptive timeout + breaker + retry with budget + total timeout + fallback around a completed call. */
    @Benchmark
    public String decoratorStack() {
        return stack.call(Deadline.never(ticker)).toCompletableFuture().join();
    }
}
