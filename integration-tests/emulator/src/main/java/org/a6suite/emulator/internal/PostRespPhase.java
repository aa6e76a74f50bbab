package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.a6suite.emulator.EmulatorUpstream;
import org.a6suite.emulator.ExtPluginConf;
import org.a6suite.emulator.ExtPluginConf.Phase;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.HttpRespCallResponse;
import org.a6suite.protocol.message.TextEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code ext-plugin-post-resp}: APISIX's own upstream fetch, HTTPRespCall, and the reply applied (§6, s05). */
final class PostRespPhase {

    /** The Engine's logger, as before the phases were split out: log configurations name it (benchmarks mute it). */
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    /** lua-resty-http with no {@code set_timeout}: the cosocket defaults, 60 s to connect, per send, per receive. */
    private static final EmulatorUpstream.Timeout LUA_SOCKET_DEFAULT = new EmulatorUpstream.Timeout(
            java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(60));

    private final ExtPluginClient client;
    private final UpstreamClient upstreams;
    private final ApisixResponses responses;
    private final ProxyPhase proxy;
    private final LongSupplier ids;

    PostRespPhase(
            ExtPluginClient client,
            UpstreamClient upstreams,
            ApisixResponses responses,
            ProxyPhase proxy,
            LongSupplier ids) {
        this.client = requireNonNull(client, "client");
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.responses = requireNonNull(responses, "responses");
        this.proxy = requireNonNull(proxy, "proxy");
        this.ids = requireNonNull(ids, "ids");
    }

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
    CompletableFuture<EmulatorResponse> run(RequestState s, RouteEntry e, ExtPluginConf conf) {
        List<Header> out = new ArrayList<>();
        for (Header h : s.headers) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (ApisixResponses.HOP_BY_HOP.contains(lower)) {
                continue;
            }
            out.add(new Header(lower, lower.equals("content-length") ? String.valueOf(s.body.length) : h.value()));
        }
        Optional<EmulatorUpstream.Node> node = e.balancer().pick(Set.of());
        if (node.isEmpty()) {
            log.error("failed to pick server: no valid upstream node ({})", s);
            return done(responses.page(502, false));
        }
        s.balancerIp = node.get().host();
        s.balancerPort = node.get().port();
        return upstreams
                .sendOnNewConnection(s.loop, node.get(), LUA_SOCKET_DEFAULT, s.method, s.upstreamTarget(), out, s.body)
                .thenCompose(reply -> reply.body()
                        .aggregate()
                        .thenApply(body -> new UpstreamResponse(reply.status(), reply.headers(), body)))
                .handle((resp, error) -> {
                    if (error != null) {
                        log.error(
                                "failed to request: {}",
                                ProxyPhase.upstreamError(error).getMessage());
                        return done(responses.page(502, false));
                    }
                    return respCall(s, e, conf, resp);
                })
                .thenCompose(x -> x);
    }

    private CompletableFuture<EmulatorResponse> respCall(
            RequestState s, RouteEntry e, ExtPluginConf conf, UpstreamResponse resp) {
        List<TextEntry> headers = resp.headers().stream()
                .map(h -> TextEntry.of(h.name(), Wire.toA6(h.value())))
                .toList();
        return client.communicate(
                        s.loop,
                        e.confKey(Phase.POST_RESP),
                        conf,
                        token -> new HttpRespCallRequest(ids.getAsLong(), resp.status(), headers, token),
                        info -> switch (info) {
                            case ExtraInfoRequest.Var v -> s.var(v.name()).map(x -> x.getBytes(StandardCharsets.UTF_8));
                            case ExtraInfoRequest.ReqBody r ->
                                s.body.length == 0 ? Optional.empty() : Optional.of(s.body);
                            case ExtraInfoRequest.RespBody r ->
                                resp.body().length == 0 ? Optional.empty() : Optional.of(resp.body());
                        })
                .thenCompose(outcome -> switch (outcome) {
                    case RpcOutcome.Replied(HttpRespCallResponse reply) -> applyRespCallReply(s, e, resp, reply);
                    case RpcOutcome.Replied(A6Message other) ->
                        postRespFailed(conf, s, e, resp, "unexpected reply " + other, true);
                    case RpcOutcome.Failed(String reason, boolean degradable) ->
                        postRespFailed(conf, s, e, resp, reason, degradable);
                    case RpcOutcome.NotEncodable(String reason) -> done(responses.page(500, true));
                });
    }

    private CompletableFuture<EmulatorResponse> postRespFailed(
            ExtPluginConf conf,
            RequestState s,
            RouteEntry e,
            UpstreamResponse resp,
            String reason,
            boolean degradable) {
        log.error("ext-plugin-post-resp: {}", reason);
        if (degradable && conf.allowDegradation()) {
            return applyRespCallReply(s, e, resp, new HttpRespCallResponse(0, 0, List.of(), Optional.empty()));
        }
        // s14: the client gets 503 with the upstream's body and the default content type, after the upstream call
        return done(responses.apisixResponse(503, List.of(), resp.body()));
    }

    /**
     * HTTPRespCall.Resp (§6): non-empty headers replace the whole set; empty headers copy the upstream's minus the
     * excluded list (content-type included, s05b); a non-empty body replaces; status 0 keeps the upstream status. An
     * empty upstream body with no replacement makes nginx proxy again (apisix#7792, s05b HEAD).
     */
    private CompletableFuture<EmulatorResponse> applyRespCallReply(
            RequestState s, RouteEntry e, UpstreamResponse resp, HttpRespCallResponse reply) {
        int status = reply.status() == 0 ? resp.status() : reply.status();
        List<Header> headers;
        if (!reply.headers().isEmpty()) {
            headers = new ArrayList<>();
            for (TextEntry t : reply.headers()) {
                t.value().ifPresent(v -> headers.add(new Header(t.name(), Wire.toWire(v))));
            }
        } else {
            headers = resp.headers().stream()
                    .filter(h -> !ApisixResponses.EXCLUDED_RESP_HEADERS.contains(
                            h.name().toLowerCase(Locale.ROOT)))
                    .toList();
        }
        Optional<byte[]> body = reply.body().filter(b -> b.length > 0);
        if (body.isEmpty() && resp.body().length == 0) {
            return proxy.proxy(s, e, headers);
        }
        return done(responses.apisixResponse(status, headers, body.orElse(resp.body())));
    }

    private static CompletableFuture<EmulatorResponse> done(EmulatorResponse r) {
        return CompletableFuture.completedFuture(r);
    }
}
