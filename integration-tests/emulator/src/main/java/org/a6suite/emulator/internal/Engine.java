package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.emulator.EmulatorUpstream;
import org.a6suite.emulator.ExtPluginConf;
import org.a6suite.emulator.ExtPluginConf.Phase;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.HttpRespCallResponse;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.TextEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request pipeline of the APISIX emulator (a TEST AND DEVELOPMENT FIXTURE, never a gateway): route match, the
 * X-Forwarded-* headers, {@code ext-plugin-pre-req} (rewrite phase), {@code ext-plugin-post-req} (access phase), then
 * either the proxy or, with {@code ext-plugin-post-resp}, APISIX's own upstream fetch followed by HTTPRespCall
 * (reference §6). Results are applied exactly as reference §6 and the transcripts say.
 */
public final class Engine {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    static final String SERVER = "APISIX/3.18.0";
    static final String DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final int ID_MASK = (1 << 22) - 1;

    /** Response headers APISIX never copies from a runner's resp_headers or an empty HTTPRespCall reply (§6). */
    static final Set<String> EXCLUDED_RESP_HEADERS = Set.of("connection", "content-length", "transfer-encoding",
            "location", "server", "www-authenticate", "content-encoding", "content-type", "content-location",
            "content-language");
    private static final Set<String> NON_IDEMPOTENT = Set.of("POST", "LOCK", "PATCH");
    /** lua-resty-http with no {@code set_timeout}: the cosocket defaults, 60 s to connect, per send, per receive. */
    private static final EmulatorUpstream.Timeout LUA_SOCKET_DEFAULT = new EmulatorUpstream.Timeout(
            java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(60));
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "te", "upgrade", "trailer");
    /** Upstream response headers nginx's proxy module hides from the client ({@code ngx_http_proxy_hide_headers}). */
    private static final Set<String> PROXY_HIDDEN = Set.of("x-accel-expires", "x-accel-redirect",
            "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset", "x-pad");

    private final Clock clock;
    private final ExtPluginClient client;
    private final UpstreamClient upstreams;
    private final PrometheusMetrics metrics;
    private final PassiveHealth health;
    private final LongSupplier nanoTime;
    private final Map<String, RouteEntry> routes = new ConcurrentHashMap<>();
    private final Map<String, RoundRobinBalancer> balancers = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();
    private final AtomicLong callIds = new AtomicLong();

    /**
     * A route as APISIX's router holds it. {@code confType#confId#plugin#confVersion} is the PrepareConf key
     * ({@code route#1#ext-plugin-pre-req#42}, or {@code route&service#1&2#...#42&40} when a service is merged in).
     */
    private record RouteEntry(EmulatorRoute route, String confType, String confId, String confVersion,
                              RoundRobinBalancer balancer, boolean fromEtcd, String healthName) {
    }

    /**
     * A route read from etcd, resolved against its service and upstream. {@code balancerKey} names the upstream object
     * and its version: routes sharing one upstream share one balancer, as APISIX keeps one picker per upstream.
     */
    public record ResolvedRoute(EmulatorRoute route, String confType, String confId, String confVersion,
                                String balancerKey, String healthName) {
        public ResolvedRoute {
            requireNonNull(route, "route");
            requireNonNull(confType, "confType");
            requireNonNull(confId, "confId");
            requireNonNull(confVersion, "confVersion");
            requireNonNull(balancerKey, "balancerKey");
            requireNonNull(healthName, "healthName");
        }
    }

    public Engine(Clock clock, ExtPluginClient client, EventLoopGroup group, PrometheusMetrics metrics,
                  PassiveHealth health) {
        this.health = requireNonNull(health, "health");
        this.clock = requireNonNull(clock, "clock");
        this.client = requireNonNull(client, "client");
        this.upstreams = new UpstreamClient(group);
        this.metrics = requireNonNull(metrics, "metrics");
        this.nanoTime = System::nanoTime;
    }

    /** Adds or replaces a route with a new version, like an etcd write bumping modifiedIndex (s07). */
    public synchronized long putRoute(EmulatorRoute route) {
        long version = versions.incrementAndGet();
        routes.put(route.id(), new RouteEntry(route, "route", route.id(), String.valueOf(version),
                new RoundRobinBalancer(route.upstream().nodes()), false, "/apisix/routes/" + route.id()));
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
            kept.computeIfAbsent(r.balancerKey(), k -> balancers.getOrDefault(k,
                    new RoundRobinBalancer(r.route().upstream().nodes())));
        }
        balancers.keySet().retainAll(kept.keySet());
        balancers.putAll(kept);
        routes.values().removeIf(RouteEntry::fromEtcd);
        for (ResolvedRoute r : resolved) {
            routes.put(r.route().id(), new RouteEntry(r.route(), r.confType(), r.confId(), r.confVersion(),
                    kept.get(r.balancerKey()), true, r.healthName()));
        }
    }

    /** The ids of the routes currently served. */
    public Set<String> routeIds() {
        return Set.copyOf(routes.keySet());
    }

    CompletableFuture<EmulatorResponse> handle(InetSocketAddress remote, InetSocketAddress local, String method,
                                              String target, List<Header> headers, byte[] body) {
        String uri = UriCodec.decodedNormalizedPath(RequestState.rawPathOf(target));
        Optional<RouteEntry> match = routes.values().stream()
                .filter(e -> e.route().matches(method, uri))
                // longest uri first, like radixtree prefers the more specific route
                .max((a, b) -> Integer.compare(a.route().uri().length(), b.route().uri().length()));
        if (match.isEmpty()) {
            metrics.unmatched();
            return CompletableFuture.completedFuture(json(404, "{\"error_msg\":\"404 Route Not Found\"}"));
        }
        long start = nanoTime.getAsLong();
        RouteEntry entry = match.get();
        RequestState s = new RequestState(remote, local, method, target, headers, body, entry.route());
        s.addForwardedHeaders();
        return pipeline(s, entry).whenComplete((r, t) -> metrics.log(t == null ? r.status() : 500,
                entry.route().id(), entry.route().uri(), entry.route().serviceId().orElse(""), s.balancerIp,
                millis(nanoTime.getAsLong() - start), s.upstreamNanos < 0 ? -1 : millis(s.upstreamNanos)));
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000d;
    }

    private CompletableFuture<EmulatorResponse> pipeline(RequestState s, RouteEntry entry) {
        return reqPhase(s, entry, Phase.PRE_REQ)
                .thenCompose(r -> r.isPresent() ? done(r.get()) : reqPhase(s, entry, Phase.POST_REQ)
                        .thenCompose(r2 -> r2.isPresent() ? done(r2.get())
                                : entry.route().plugin(Phase.POST_RESP).isPresent()
                                ? postResp(s, entry, entry.route().plugin(Phase.POST_RESP).get())
                                : proxy(s, entry, List.of())))
                .exceptionally(t -> {
                    log.error("emulator failed on {}: {}", s, t.toString(), t);
                    return page(500, true);
                });
    }

    private static CompletableFuture<EmulatorResponse> done(EmulatorResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    private static String key(RouteEntry e, Phase phase) {
        return e.confType() + "#" + e.confId() + "#" + phase.pluginName() + "#" + e.confVersion();
    }

    private long nextId() {
        return callIds.getAndIncrement() & ID_MASK; // worker 0: (0 << 22) + counter, wrapping at 2^22 (§3)
    }

    // ---------------------------------------------------------------- HTTPReqCall phases

    /** Runs pre-req or post-req; an empty result means "continue to the next phase". */
    private CompletableFuture<Optional<EmulatorResponse>> reqPhase(RequestState s, RouteEntry e, Phase phase) {
        Optional<ExtPluginConf> conf = e.route().plugin(phase);
        if (conf.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return client.communicate(key(e, phase), conf.get(), token -> reqCall(s, token),
                info -> switch (info) {
                    case ExtraInfoRequest.Var v -> s.var(v.name()).map(x -> x.getBytes(StandardCharsets.UTF_8));
                    case ExtraInfoRequest.ReqBody r -> s.body.length == 0 ? Optional.empty() : Optional.of(s.body);
                    // "failed to read response body: not exits" (s13): no upstream response yet
                    case ExtraInfoRequest.RespBody r -> Optional.empty();
                }).thenApply(outcome -> switch (outcome) {
                    case RpcOutcome.Replied(HttpReqCallResponse resp) -> applyReqCallReply(s, resp);
                    case RpcOutcome.Replied(A6Message other) -> failed(conf.get(), phase,
                            "unexpected reply " + other, true);
                    case RpcOutcome.Failed(String reason, boolean degradable) -> failed(conf.get(), phase, reason,
                            degradable);
                    case RpcOutcome.NotEncodable(String reason) -> {
                        log.error("{}: {} (APISIX raises a Lua error: 500, no frame)", phase.pluginName(), reason);
                        yield Optional.of(page(500, true));
                    }
                });
    }

    private Optional<EmulatorResponse> failed(ExtPluginConf conf, Phase phase, String reason, boolean degradable) {
        log.error("{}: {}", phase.pluginName(), reason);
        if (degradable && conf.allowDegradation()) {
            log.warn("Plugin Runner is wrong, allow degradation");
            return Optional.empty(); // pass through unchanged, no Rewrite applied (s09)
        }
        return Optional.of(page(503, false));
    }

    private A6Message reqCall(RequestState s, long token) {
        Method method;
        try {
            method = Method.valueOf(s.method);
        } catch (IllegalArgumentException e) {
            throw new NotEncodableException("method " + s.method + " is outside the A6 Method enum");
        }
        return new HttpReqCallRequest(nextId(), s.remote.getAddress().getAddress(), method, s.runnerPath(),
                s.runnerArgs(), s.runnerHeaders(), token);
    }

    private Optional<EmulatorResponse> applyReqCallReply(RequestState s, HttpReqCallResponse resp) {
        return switch (resp.action()) {
            case HttpReqCallResponse.None none -> Optional.empty();
            case HttpReqCallResponse.Stop stop -> Optional.of(stopResponse(stop));
            case HttpReqCallResponse.Rewrite rewrite -> {
                applyRewrite(s, rewrite);
                yield Optional.empty();
            }
        };
    }

    /** Stop (§6): status 0 is 200, headers first-set-then-add, a non-empty body replaces, default content type. */
    private EmulatorResponse stopResponse(HttpReqCallResponse.Stop stop) {
        int status = stop.status() == 0 ? 200 : stop.status();
        List<Header> set = setThenAdd(List.of(), stop.headers(), Set.of());
        Optional<byte[]> body = stop.body().filter(b -> b.length > 0);
        if (body.isEmpty()) {
            Optional<byte[]> nginxPage = NginxPages.page(status);
            if (nginxPage.isPresent()) {
                List<Header> withHtml = new ArrayList<>(set);
                if (withHtml.stream().noneMatch(h -> h.is("content-type"))) {
                    withHtml.add(0, new Header("Content-Type", "text/html; charset=utf-8"));
                }
                return apisixResponse(status, withHtml, nginxPage.get());
            }
        }
        return apisixResponse(status, set, body.orElse(new byte[0]));
    }

    /** Rewrite (§6 and transcripts s01, s03, s10): path, headers, args, resp_headers, body. */
    private static void applyRewrite(RequestState s, HttpReqCallResponse.Rewrite rw) {
        Optional<String> path = rw.path().filter(p -> !p.isEmpty()).map(UriCodec::uriSafeEncode);
        for (TextEntry h : rw.headers()) {
            if (h.value().isEmpty() || h.value().get().isEmpty()) {
                s.remove(h.name()); // absent or "" deletes (s03)
                continue;
            }
            String value = Wire.toWire(h.value().get());
            s.set(h.name(), value); // each entry replaces; of duplicates the last wins
            if (h.name().equalsIgnoreCase("host")) {
                s.upstreamHost = value;
            }
        }
        if (!rw.args().isEmpty()) {
            s.args = UriCodec.encodeArgs(UriCodec.rewriteArgs(UriCodec.parseArgs(s.args), rw.args()));
            s.argsRewritten = true;
        }
        // 3.16+: upstream_uri = path .. is_args .. args, so a path-only rewrite keeps the query
        path.ifPresent(p -> s.upstreamUri = Optional.of(s.args.isEmpty() ? p : p + "?" + s.args));
        for (TextEntry h : rw.respHeaders()) {
            s.respHeaders.add(new Header(h.name(), h.value().map(Wire::toWire).orElse("")));
        }
        rw.body().filter(b -> b.length > 0).ifPresent(b -> {
            s.body = b;
            if (s.header("content-length").isPresent()) {
                s.set("Content-Length", String.valueOf(b.length));
            }
        });
    }

    // ---------------------------------------------------------------- proxy

    /** nginx's proxy_pass: Host, X-Real-IP, X-Forwarded-For first, then the client's headers (upstream.txt). */
    private CompletableFuture<EmulatorResponse> proxy(RequestState s, RouteEntry e, List<Header> extraClientHeaders) {
        String remote = s.remote.getAddress().getHostAddress();
        List<Header> out = new ArrayList<>();
        out.add(new Header("Host", s.upstreamHost));
        out.add(new Header("X-Real-IP", remote));
        out.add(new Header("X-Forwarded-For", s.header("x-forwarded-for").map(x -> x + ", " + remote)
                .orElse(remote)));
        boolean sawLength = false;
        for (Header h : s.headers) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (lower.equals("host") || lower.equals("x-real-ip") || lower.equals("x-forwarded-for")
                    || HOP_BY_HOP.contains(lower)) {
                continue;
            }
            if (lower.equals("content-length")) {
                sawLength = true;
                out.add(new Header(h.name(), String.valueOf(s.body.length)));
                continue;
            }
            out.add(h);
        }
        if (!sawLength && s.body.length > 0) {
            out.add(new Header("Content-Length", String.valueOf(s.body.length)));
        }
        Set<EmulatorUpstream.Node> skip = new HashSet<>();
        if (e.route().upstream().checks()) {
            skip.addAll(health.unhealthy(e.healthName(), e.route().upstream().nodes()));
        }
        return attempt(s, e, out, extraClientHeaders, skip, 1, nanoTime.getAsLong(), null);
    }

    /**
     * One try of nginx's upstream loop: pick a node not yet tried, send, and on a failure before the response started
     * try the next node while {@code retries} and {@code retry_timeout} allow ({@code proxy_next_upstream error
     * timeout}, {@code proxy_next_upstream_tries}, {@code proxy_next_upstream_timeout}). A request already sent is
     * not resent for POST, LOCK and PATCH (nginx >= 1.9.13 without {@code non_idempotent}). When tries run out the
     * last failure decides: a timeout gives 504, any other error 502.
     */
    private CompletableFuture<EmulatorResponse> attempt(RequestState s, RouteEntry e, List<Header> out,
                                                        List<Header> extra, Set<EmulatorUpstream.Node> tried,
                                                        int tryNo, long firstStart, UpstreamException last) {
        EmulatorUpstream upstream = e.route().upstream();
        Optional<EmulatorUpstream.Node> picked = e.balancer().pick(tried);
        if (picked.isEmpty()) {
            if (last == null) {
                log.error("failed to pick server: no valid upstream node ({})", s);
                return done(page(502, false));
            }
            return done(page(last.timedOut ? 504 : 502, false));
        }
        EmulatorUpstream.Node node = picked.get();
        tried.add(node);
        s.balancerIp = node.host();
        s.balancerPort = node.port();
        long t0 = nanoTime.getAsLong();
        return upstreams.send(node, upstream.timeout(), s.method, s.upstreamTarget(), out, s.body)
                .thenCompose(reply -> buffered(s, reply)
                        ? reply.body().aggregate().thenApply(body -> proxiedResponse(s,
                                new UpstreamResponse(reply.status(), reply.headers(), body), extra))
                        : CompletableFuture.completedFuture(streamedResponse(s, reply, extra)))
                .handle((resp, error) -> {
                    long now = nanoTime.getAsLong();
                    s.upstreamNanos = now - t0; // $upstream_response_time of the last try
                    UpstreamException ue = error == null ? null : upstreamError(error);
                    if (upstream.checks()) {
                        health.record(e.healthName(), node, ue == null ? PassiveHealth.Outcome.RESPONSE
                                : ue.timedOut ? PassiveHealth.Outcome.TIMEOUT : PassiveHealth.Outcome.TCP_FAILURE,
                                ue == null ? resp.status() : 0);
                    }
                    if (ue == null) {
                        return done(resp);
                    }
                    log.error("{} while proxying {} (try {} of {})", ue.getMessage(), s, tryNo, upstream.maxTries());
                    boolean retriable = !ue.responseStarted && (!ue.requestSent || !NON_IDEMPOTENT.contains(s.method));
                    boolean inTime = upstream.retryTimeout().isZero()
                            || now - firstStart < upstream.retryTimeout().toNanos();
                    if (retriable && inTime && tryNo < upstream.maxTries()) {
                        return attempt(s, e, out, extra, tried, tryNo + 1, firstStart, ue);
                    }
                    return done(page(ue.timedOut ? 504 : 502, false));
                }).thenCompose(x -> x);
    }

    /**
     * Whether nginx buffers this response ({@code proxy_buffering on}, APISIX's default): yes unless the upstream sent
     * {@code X-Accel-Buffering: no}. HEAD, 204 and 304 responses have no body to stream.
     */
    private static boolean buffered(RequestState s, UpstreamReply reply) {
        return s.method.equals("HEAD") || reply.status() == 204 || reply.status() == 304 || reply.headers().stream()
                .noneMatch(h -> h.is("x-accel-buffering") && h.value().trim().equalsIgnoreCase("no"));
    }

    private EmulatorResponse proxiedResponse(RequestState s, UpstreamResponse resp, List<Header> extra) {
        boolean head = s.method.equals("HEAD");
        String length = head ? resp.headers().stream().filter(x -> x.is("content-length")).map(Header::value)
                .findFirst().orElse(null) : String.valueOf(resp.body().length);
        return new EmulatorResponse(resp.status(), proxiedHeaders(s, resp.headers(), Optional.ofNullable(length),
                false, extra), head ? new byte[0] : resp.body(), false);
    }

    /**
     * An unbuffered response: the head goes to the client now and the body follows chunk by chunk. The client gets
     * the upstream's Content-Length when it sent one, else {@code Transfer-Encoding: chunked}.
     */
    private EmulatorResponse streamedResponse(RequestState s, UpstreamReply reply, List<Header> extra) {
        Optional<String> length = reply.headers().stream().filter(x -> x.is("content-length"))
                .map(Header::value).findFirst();
        return new EmulatorResponse(reply.status(), proxiedHeaders(s, reply.headers(), length, true, extra), new byte[0],
                false, Optional.of(reply.body()));
    }

    /**
     * The client's response headers as nginx writes a proxied response: Content-Type, Content-Length or
     * Transfer-Encoding, Connection, APISIX's extra headers, Date, the upstream's others (minus hop-by-hop and
     * {@code proxy_hide_header} defaults), resp_headers from the runner, Server.
     */
    private List<Header> proxiedHeaders(RequestState s, List<Header> upstream, Optional<String> length,
                                        boolean chunkedWithoutLength, List<Header> extra) {
        List<Header> h = new ArrayList<>();
        upstream.stream().filter(x -> x.is("content-type")).findFirst().ifPresent(h::add);
        length.ifPresent(l -> h.add(new Header("Content-Length", l)));
        if (length.isEmpty() && chunkedWithoutLength) {
            h.add(new Header("Transfer-Encoding", "chunked"));
        }
        h.add(new Header("Connection", "keep-alive"));
        h.addAll(extra);
        h.add(new Header("Date", date()));
        for (Header x : upstream) {
            String lower = x.name().toLowerCase(Locale.ROOT);
            if (lower.equals("server") || lower.equals("date") || lower.equals("content-type")
                    || lower.equals("content-length") || HOP_BY_HOP.contains(lower) || PROXY_HIDDEN.contains(lower)) {
                continue;
            }
            h.add(x);
        }
        List<Header> out = applyRespHeaders(h, s.respHeaders);
        out.add(new Header("Server", SERVER));
        return out;
    }

    /** Rewrite.resp_headers: first-set-then-add, minus the excluded list; an absent value deletes (§6). */
    private static List<Header> applyRespHeaders(List<Header> current, List<Header> respHeaders) {
        List<Header> out = new ArrayList<>(current);
        Set<String> seen = new HashSet<>();
        for (Header h : respHeaders) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (EXCLUDED_RESP_HEADERS.contains(lower)) {
                continue;
            }
            if (seen.add(lower)) {
                out.removeIf(x -> x.is(lower));
            }
            if (!h.value().isEmpty()) {
                out.add(h);
            }
        }
        return out;
    }

    /** First-set-then-add over runner entries: the first entry of a name replaces, later ones add. */
    private static List<Header> setThenAdd(List<Header> current, List<TextEntry> entries, Set<String> excluded) {
        List<Header> out = new ArrayList<>(current);
        Set<String> seen = new HashSet<>();
        for (TextEntry e : entries) {
            String lower = e.name().toLowerCase(Locale.ROOT);
            if (excluded.contains(lower)) {
                continue;
            }
            if (seen.add(lower)) {
                out.removeIf(x -> x.is(lower));
            }
            e.value().ifPresent(v -> out.add(new Header(e.name(), Wire.toWire(v))));
        }
        return out;
    }

    // ---------------------------------------------------------------- post-resp

    /**
     * ext-plugin-post-resp (§6, s05): APISIX fetches the upstream itself (lower-case client headers, client Host, no
     * X-Real-IP/X-Forwarded-For, only the picked node, no retries), then HTTPRespCall, then applies the reply.
     *
     * <p>As {@code apisix/plugins/ext-plugin-post-resp.lua} (3.18.0) does it with lua-resty-http: {@code http.new()}
     * and no {@code set_timeout} ("TODO: set timeout"), so the cosocket defaults apply ({@code lua_socket_connect_timeout},
     * {@code lua_socket_send_timeout}, {@code lua_socket_read_timeout}: 60 s each, which APISIX's nginx template does
     * not change; the read timeout bounds each receive, i.e. the gap between reads), the route's and upstream's
     * {@code timeout} ignored; a new connection for every request, closed afterwards ("TODO: keepalive"); no retry on
     * another node, nor of a stale connection (there is none); any failure (refused, reset, timed out) is a 502, never
     * a 504. No passive health check is fed: nginx did not proxy.
     */
    private CompletableFuture<EmulatorResponse> postResp(RequestState s, RouteEntry e, ExtPluginConf conf) {
        List<Header> out = new ArrayList<>();
        for (Header h : s.headers) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(lower)) {
                continue;
            }
            out.add(new Header(lower, lower.equals("content-length") ? String.valueOf(s.body.length) : h.value()));
        }
        Optional<EmulatorUpstream.Node> node = e.balancer().pick(Set.of());
        if (node.isEmpty()) {
            log.error("failed to pick server: no valid upstream node ({})", s);
            return done(page(502, false));
        }
        s.balancerIp = node.get().host();
        s.balancerPort = node.get().port();
        return upstreams.sendOnNewConnection(node.get(), LUA_SOCKET_DEFAULT, s.method, s.upstreamTarget(), out,
                s.body).thenCompose(reply -> reply.body().aggregate()
                        .thenApply(body -> new UpstreamResponse(reply.status(), reply.headers(), body)))
                .handle((resp, error) -> {
                    if (error != null) {
                        log.error("failed to request: {}", upstreamError(error).getMessage());
                        return done(page(502, false));
                    }
                    return respCall(s, e, conf, resp);
                }).thenCompose(x -> x);
    }

    private CompletableFuture<EmulatorResponse> respCall(RequestState s, RouteEntry e, ExtPluginConf conf,
                                                        UpstreamResponse resp) {
        List<TextEntry> headers = resp.headers().stream()
                .map(h -> TextEntry.of(h.name(), Wire.toA6(h.value()))).toList();
        return client.communicate(key(e, Phase.POST_RESP), conf,
                token -> new HttpRespCallRequest(nextId(), resp.status(), headers, token),
                info -> switch (info) {
                    case ExtraInfoRequest.Var v -> s.var(v.name()).map(x -> x.getBytes(StandardCharsets.UTF_8));
                    case ExtraInfoRequest.ReqBody r -> s.body.length == 0 ? Optional.empty() : Optional.of(s.body);
                    case ExtraInfoRequest.RespBody r -> resp.body().length == 0 ? Optional.empty()
                            : Optional.of(resp.body());
                }).thenCompose(outcome -> switch (outcome) {
                    case RpcOutcome.Replied(HttpRespCallResponse reply) -> applyRespCallReply(s, e, resp, reply);
                    case RpcOutcome.Replied(A6Message other) -> postRespFailed(conf, s, e, resp,
                            "unexpected reply " + other, true);
                    case RpcOutcome.Failed(String reason, boolean degradable) -> postRespFailed(conf, s, e, resp,
                            reason, degradable);
                    case RpcOutcome.NotEncodable(String reason) -> done(page(500, true));
                });
    }

    private CompletableFuture<EmulatorResponse> postRespFailed(ExtPluginConf conf, RequestState s, RouteEntry e,
                                                               UpstreamResponse resp, String reason,
                                                               boolean degradable) {
        log.error("ext-plugin-post-resp: {}", reason);
        if (degradable && conf.allowDegradation()) {
            return applyRespCallReply(s, e, resp, new HttpRespCallResponse(0, 0, List.of(), Optional.empty()));
        }
        // s14: the client gets 503 with the upstream's body and the default content type, after the upstream call
        return done(apisixResponse(503, List.of(), resp.body()));
    }

    /**
     * HTTPRespCall.Resp (§6): non-empty headers replace the whole set; empty headers copy the upstream's minus the
     * excluded list (content-type included, s05b); a non-empty body replaces; status 0 keeps the upstream status. An
     * empty upstream body with no replacement makes nginx proxy again (apisix#7792, s05b HEAD).
     */
    private CompletableFuture<EmulatorResponse> applyRespCallReply(RequestState s, RouteEntry e,
                                                                  UpstreamResponse resp, HttpRespCallResponse reply) {
        int status = reply.status() == 0 ? resp.status() : reply.status();
        List<Header> headers;
        if (!reply.headers().isEmpty()) {
            headers = new ArrayList<>();
            for (TextEntry t : reply.headers()) {
                t.value().ifPresent(v -> headers.add(new Header(t.name(), Wire.toWire(v))));
            }
        } else {
            headers = resp.headers().stream()
                    .filter(h -> !EXCLUDED_RESP_HEADERS.contains(h.name().toLowerCase(Locale.ROOT))).toList();
        }
        Optional<byte[]> body = reply.body().filter(b -> b.length > 0);
        if (body.isEmpty() && resp.body().length == 0) {
            return proxy(s, e, headers);
        }
        return done(apisixResponse(status, headers, body.orElse(resp.body())));
    }

    // ---------------------------------------------------------------- responses

    /**
     * A response APISIX writes itself (Stop, post-resp): chunked, {@code Date} unless given, {@code Content-Type}
     * (nginx's default {@code text/plain; charset=utf-8} unless given), the headers, then {@code Server}.
     */
    private EmulatorResponse apisixResponse(int status, List<Header> given, byte[] body) {
        List<Header> h = new ArrayList<>();
        if (given.stream().noneMatch(x -> x.is("date"))) {
            h.add(new Header("Date", date()));
        }
        h.add(given.stream().filter(x -> x.is("content-type")).findFirst()
                .orElse(new Header("Content-Type", DEFAULT_CONTENT_TYPE)));
        h.add(new Header("Transfer-Encoding", "chunked"));
        h.add(new Header("Connection", "keep-alive"));
        for (Header x : given) {
            String lower = x.name().toLowerCase(Locale.ROOT);
            if (!lower.equals("content-type") && !lower.equals("content-length") && !lower.equals("server")
                    && !HOP_BY_HOP.contains(lower)) {
                h.add(x);
            }
        }
        h.add(new Header("Server", SERVER));
        return new EmulatorResponse(status, h, body, false);
    }

    /** nginx's HTML error page with APISIX's footer (s09 503, s15 500 with Connection: close). */
    EmulatorResponse page(int status, boolean close) {
        byte[] html = NginxPages.page(status).orElse(new byte[0]);
        List<Header> h = List.of(new Header("Date", date()),
                new Header("Content-Type", "text/html; charset=utf-8"),
                new Header("Content-Length", String.valueOf(html.length)),
                new Header("Connection", close ? "close" : "keep-alive"),
                new Header("Server", SERVER));
        return new EmulatorResponse(status, h, html, close);
    }

    private EmulatorResponse json(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new EmulatorResponse(status, List.of(new Header("Date", date()),
                new Header("Content-Type", "application/json"),
                new Header("Content-Length", String.valueOf(bytes.length)),
                new Header("Connection", "keep-alive"), new Header("Server", SERVER)), bytes, false);
    }

    private String date() {
        return HTTP_DATE.format(clock.instant());
    }

    private static UpstreamException upstreamError(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof UpstreamException ue ? ue : new UpstreamException(String.valueOf(c), false);
    }
}
