package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import org.a6suite.emulator.EmulatorUpstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's {@code proxy_pass} as APISIX configures it: the forwarded headers, the upstream loop with
 * {@code proxy_next_upstream} retries and passive health checks, buffered or (with {@code X-Accel-Buffering: no})
 * streamed responses, and the headers nginx writes on a proxied response.
 */
final class ProxyPhase {

    /** The Engine's logger, as before the phases were split out: log configurations name it (benchmarks mute it). */
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    /** Methods nginx (>= 1.9.13, without {@code non_idempotent}) never sends again once they were sent. */
    private static final Set<String> NON_IDEMPOTENT = Set.of("POST", "LOCK", "PATCH");
    /** Upstream response headers nginx's proxy module hides from the client ({@code ngx_http_proxy_hide_headers}). */
    private static final Set<String> PROXY_HIDDEN = Set.of(
            "x-accel-expires",
            "x-accel-redirect",
            "x-accel-limit-rate",
            "x-accel-buffering",
            "x-accel-charset",
            "x-pad");

    private final UpstreamClient upstreams;
    private final PassiveHealth health;
    private final ApisixResponses responses;
    private final LongSupplier nanoTime;

    ProxyPhase(UpstreamClient upstreams, PassiveHealth health, ApisixResponses responses, LongSupplier nanoTime) {
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.health = requireNonNull(health, "health");
        this.responses = requireNonNull(responses, "responses");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /** nginx's proxy_pass: Host, X-Real-IP, X-Forwarded-For first, then the client's headers (upstream.txt). */
    CompletableFuture<EmulatorResponse> proxy(RequestState s, RouteEntry e, List<Header> extraClientHeaders) {
        String remote = s.remote.getAddress().getHostAddress();
        List<Header> out = new ArrayList<>();
        out.add(new Header("Host", s.upstreamHost));
        out.add(new Header("X-Real-IP", remote));
        out.add(new Header(
                "X-Forwarded-For",
                s.header("x-forwarded-for").map(x -> x + ", " + remote).orElse(remote)));
        boolean sawLength = false;
        for (Header h : s.headers) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (lower.equals("host")
                    || lower.equals("x-real-ip")
                    || lower.equals("x-forwarded-for")
                    || ApisixResponses.HOP_BY_HOP.contains(lower)) {
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
    private CompletableFuture<EmulatorResponse> attempt(
            RequestState s,
            RouteEntry e,
            List<Header> out,
            List<Header> extra,
            Set<EmulatorUpstream.Node> tried,
            int tryNo,
            long firstStart,
            UpstreamException last) {
        EmulatorUpstream upstream = e.route().upstream();
        Optional<EmulatorUpstream.Node> picked = e.balancer().pick(tried);
        if (picked.isEmpty()) {
            if (last == null) {
                log.error("failed to pick server: no valid upstream node ({})", s);
                return done(responses.page(502, false));
            }
            return done(responses.page(last.timedOut ? 504 : 502, false));
        }
        EmulatorUpstream.Node node = picked.get();
        tried.add(node);
        s.balancerIp = node.host();
        s.balancerPort = node.port();
        long t0 = nanoTime.getAsLong();
        return upstreams
                .send(s.loop, node, upstream.timeout(), s.method, s.upstreamTarget(), out, s.body)
                .thenCompose(reply -> buffered(s, reply)
                        ? reply.body()
                                .aggregate()
                                .thenApply(body -> proxiedResponse(
                                        s, new UpstreamResponse(reply.status(), reply.headers(), body), extra))
                        : CompletableFuture.completedFuture(streamedResponse(s, reply, extra)))
                .handle((resp, error) -> {
                    long now = nanoTime.getAsLong();
                    s.upstreamNanos = now - t0; // $upstream_response_time of the last try
                    UpstreamException ue = error == null ? null : upstreamError(error);
                    if (upstream.checks()) {
                        health.record(
                                e.healthName(),
                                node,
                                ue == null
                                        ? PassiveHealth.Outcome.RESPONSE
                                        : ue.timedOut
                                                ? PassiveHealth.Outcome.TIMEOUT
                                                : PassiveHealth.Outcome.TCP_FAILURE,
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
                    return done(responses.page(ue.timedOut ? 504 : 502, false));
                })
                .thenCompose(x -> x);
    }

    /**
     * Whether nginx buffers this response ({@code proxy_buffering on}, APISIX's default): yes unless the upstream sent
     * {@code X-Accel-Buffering: no}. HEAD, 204 and 304 responses have no body to stream.
     */
    private static boolean buffered(RequestState s, UpstreamReply reply) {
        return s.method.equals("HEAD")
                || reply.status() == 204
                || reply.status() == 304
                || reply.headers().stream()
                        .noneMatch(h ->
                                h.is("x-accel-buffering") && h.value().trim().equalsIgnoreCase("no"));
    }

    private EmulatorResponse proxiedResponse(RequestState s, UpstreamResponse resp, List<Header> extra) {
        boolean head = s.method.equals("HEAD");
        String length = head
                ? resp.headers().stream()
                        .filter(x -> x.is("content-length"))
                        .map(Header::value)
                        .findFirst()
                        .orElse(null)
                : String.valueOf(resp.body().length);
        return new EmulatorResponse(
                resp.status(),
                proxiedHeaders(s, resp.headers(), Optional.ofNullable(length), false, extra),
                head ? new byte[0] : resp.body(),
                false);
    }

    /**
     * An unbuffered response: the head goes to the client now and the body follows chunk by chunk. The client gets
     * the upstream's Content-Length when it sent one, else {@code Transfer-Encoding: chunked}.
     */
    private EmulatorResponse streamedResponse(RequestState s, UpstreamReply reply, List<Header> extra) {
        Optional<String> length = reply.headers().stream()
                .filter(x -> x.is("content-length"))
                .map(Header::value)
                .findFirst();
        return new EmulatorResponse(
                reply.status(),
                proxiedHeaders(s, reply.headers(), length, true, extra),
                new byte[0],
                false,
                Optional.of(reply.body()));
    }

    /**
     * The client's response headers as nginx writes a proxied response: Content-Type, Content-Length or
     * Transfer-Encoding, Connection, APISIX's extra headers, Date, the upstream's others (minus hop-by-hop and
     * {@code proxy_hide_header} defaults), resp_headers from the runner, Server.
     */
    private List<Header> proxiedHeaders(
            RequestState s,
            List<Header> upstream,
            Optional<String> length,
            boolean chunkedWithoutLength,
            List<Header> extra) {
        List<Header> h = new ArrayList<>();
        upstream.stream().filter(x -> x.is("content-type")).findFirst().ifPresent(h::add);
        length.ifPresent(l -> h.add(new Header("Content-Length", l)));
        if (length.isEmpty() && chunkedWithoutLength) {
            h.add(new Header("Transfer-Encoding", "chunked"));
        }
        h.add(new Header("Connection", "keep-alive"));
        h.addAll(extra);
        h.add(new Header("Date", responses.date()));
        for (Header x : upstream) {
            String lower = x.name().toLowerCase(Locale.ROOT);
            if (lower.equals("server")
                    || lower.equals("date")
                    || lower.equals("content-type")
                    || lower.equals("content-length")
                    || ApisixResponses.HOP_BY_HOP.contains(lower)
                    || PROXY_HIDDEN.contains(lower)) {
                continue;
            }
            h.add(x);
        }
        List<Header> out = ApisixResponses.applyRespHeaders(h, s.respHeaders);
        out.add(new Header("Server", ApisixResponses.SERVER));
        return out;
    }

    private static CompletableFuture<EmulatorResponse> done(EmulatorResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    static UpstreamException upstreamError(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof UpstreamException ue ? ue : new UpstreamException(String.valueOf(c), false);
    }
}
