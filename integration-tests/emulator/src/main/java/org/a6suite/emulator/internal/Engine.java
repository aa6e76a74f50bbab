package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.emulator.ExtPluginConf.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request pipeline of the APISIX emulator (a TEST AND DEVELOPMENT FIXTURE, never a gateway): route match, the
 * X-Forwarded-* headers, {@code ext-plugin-pre-req} (rewrite phase), {@code ext-plugin-post-req} (access phase), then
 * either the proxy or, with {@code ext-plugin-post-resp}, APISIX's own upstream fetch followed by HTTPRespCall
 * (transcripts README §6). Results are applied exactly as transcripts README §6 and the transcripts say.
 *
 * <p>The phases live apart: {@link ReqCallPhase} (pre-req, post-req), {@link ProxyPhase} (nginx's proxy and its
 * upstream loop), {@link PostRespPhase} (post-resp) and {@link ApisixResponses} (what APISIX writes itself). This
 * class holds the routes and runs the pipeline.
 */
public final class Engine {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    static final String SERVER = ApisixResponses.SERVER;

    private final PrometheusMetrics metrics;
    private final LongSupplier nanoTime;
    private final ApisixResponses responses;
    private final ReqCallPhase reqCall;
    private final ProxyPhase proxy;
    private final PostRespPhase postResp;
    private final Map<String, RouteEntry> routes = new ConcurrentHashMap<>();
    private final Map<String, RoundRobinBalancer> balancers = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    /**
     * A route read from etcd, resolved against its service and upstream. {@code balancerKey} names the upstream object
     * and its version: routes sharing one upstream share one balancer, as APISIX keeps one picker per upstream.
     */
    public record ResolvedRoute(
            EmulatorRoute route,
            String confType,
            String confId,
            String confVersion,
            String balancerKey,
            String healthName) {
        public ResolvedRoute {
            requireNonNull(route, "route");
            requireNonNull(confType, "confType");
            requireNonNull(confId, "confId");
            requireNonNull(confVersion, "confVersion");
            requireNonNull(balancerKey, "balancerKey");
            requireNonNull(healthName, "healthName");
        }
    }

    public Engine(Clock clock, ExtPluginClient client, PrometheusMetrics metrics, PassiveHealth health) {
        requireNonNull(health, "health");
        requireNonNull(client, "client");
        this.metrics = requireNonNull(metrics, "metrics");
        this.nanoTime = System::nanoTime;
        this.responses = new ApisixResponses(clock);
        UpstreamClient upstreams = new UpstreamClient();
        this.reqCall = new ReqCallPhase(client, responses);
        this.proxy = new ProxyPhase(upstreams, health, responses, nanoTime);
        this.postResp = new PostRespPhase(client, upstreams, responses, proxy, reqCall::nextId);
    }

    /** Adds or replaces a route with a new version, like an etcd write bumping modifiedIndex (s07). */
    public synchronized long putRoute(EmulatorRoute route) {
        long version = versions.incrementAndGet();
        routes.put(
                route.id(),
                new RouteEntry(
                        route,
                        "route",
                        route.id(),
                        String.valueOf(version),
                        new RoundRobinBalancer(route.upstream().nodes()),
                        false,
                        "/apisix/routes/" + route.id()));
        return version;
    }

    public synchronized boolean removeRoute(String id) {
        return routes.remove(id) != null;
    }

    /**
     * Replaces every route that came from etcd with {@code resolved} (routes put through {@link #putRoute} stay,
     * unless an etcd route has the same id). Balancers of unchanged upstream versions keep their position.
     */
    public synchronized void replaceEtcdRoutes(List<ResolvedRoute> resolved) {
        Map<String, RoundRobinBalancer> kept = new HashMap<>();
        for (ResolvedRoute r : resolved) {
            kept.computeIfAbsent(
                    r.balancerKey(),
                    k -> balancers.getOrDefault(
                            k, new RoundRobinBalancer(r.route().upstream().nodes())));
        }
        balancers.keySet().retainAll(kept.keySet());
        balancers.putAll(kept);
        routes.values().removeIf(RouteEntry::fromEtcd);
        for (ResolvedRoute r : resolved) {
            routes.put(
                    r.route().id(),
                    new RouteEntry(
                            r.route(),
                            r.confType(),
                            r.confId(),
                            r.confVersion(),
                            kept.get(r.balancerKey()),
                            true,
                            r.healthName()));
        }
    }

    /** The ids of the routes currently served. */
    public Set<String> routeIds() {
        return Set.copyOf(routes.keySet());
    }

    /**
     * Runs one request on {@code loop}, the event loop of its client connection: the runner and upstream connections
     * it uses are that loop's, so the result completes on it (nginx handles a request in one worker, no hand-off).
     */
    CompletableFuture<EmulatorResponse> handle(
            EventLoop loop,
            InetSocketAddress remote,
            InetSocketAddress local,
            String method,
            String target,
            List<Header> headers,
            byte[] body) {
        String uri = UriCodec.decodedNormalizedPath(RequestState.rawPathOf(target));
        Optional<RouteEntry> match = routes.values().stream()
                .filter(e -> e.route().matches(method, uri))
                // longest uri first, like radixtree prefers the more specific route
                .max((a, b) -> Integer.compare(
                        a.route().uri().length(), b.route().uri().length()));
        if (match.isEmpty()) {
            metrics.unmatched();
            return CompletableFuture.completedFuture(responses.json(404, "{\"error_msg\":\"404 Route Not Found\"}"));
        }
        long start = nanoTime.getAsLong();
        RouteEntry entry = match.get();
        RequestState s = new RequestState(loop, remote, local, method, target, headers, body, entry.route());
        s.addForwardedHeaders();
        return pipeline(s, entry)
                .whenComplete((r, t) -> metrics.log(
                        t == null ? r.status() : 500,
                        entry.route().id(),
                        entry.route().uri(),
                        entry.route().serviceId().orElse(""),
                        s.balancerIp,
                        millis(nanoTime.getAsLong() - start),
                        s.upstreamNanos < 0 ? -1 : millis(s.upstreamNanos)));
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000d;
    }

    private CompletableFuture<EmulatorResponse> pipeline(RequestState s, RouteEntry entry) {
        return reqCall.run(s, entry, Phase.PRE_REQ)
                .thenCompose(r -> r.isPresent()
                        ? done(r.get())
                        : reqCall.run(s, entry, Phase.POST_REQ)
                                .thenCompose(r2 -> r2.isPresent()
                                        ? done(r2.get())
                                        : entry.route().plugin(Phase.POST_RESP).isPresent()
                                                ? postResp.run(
                                                        s,
                                                        entry,
                                                        entry.route()
                                                                .plugin(Phase.POST_RESP)
                                                                .get())
                                                : proxy.proxy(s, entry, List.of())))
                .exceptionally(t -> {
                    log.error("emulator failed on {}: {}", s, t.toString(), t);
                    return responses.page(500, true);
                });
    }

    private static CompletableFuture<EmulatorResponse> done(EmulatorResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    /** nginx's HTML error page with APISIX's footer (s09 503, s15 500 with Connection: close). */
    EmulatorResponse page(int status, boolean close) {
        return responses.page(status, close);
    }
}
