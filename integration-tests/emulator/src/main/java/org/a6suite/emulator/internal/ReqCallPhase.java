package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.emulator.ExtPluginConf;
import org.a6suite.emulator.ExtPluginConf.Phase;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.TextEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ext-plugin-pre-req} (rewrite phase) and {@code ext-plugin-post-req} (access phase): one HTTPReqCall, its
 * ExtraInfo questions answered from the request, and the reply applied as transcripts README §6 and the transcripts say
 * (Stop answers the client, Rewrite changes the request, None goes on).
 */
final class ReqCallPhase {

    /** The Engine's logger, as before the phases were split out: log configurations name it (benchmarks mute it). */
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private static final int ID_MASK = (1 << 22) - 1;

    private final ExtPluginClient client;
    private final ApisixResponses responses;
    private final AtomicLong callIds = new AtomicLong();

    ReqCallPhase(ExtPluginClient client, ApisixResponses responses) {
        this.client = requireNonNull(client, "client");
        this.responses = requireNonNull(responses, "responses");
    }

    /** The next call id: worker 0, {@code (0 << 22) + counter}, wrapping at 2^22 (§3). */
    long nextId() {
        return callIds.getAndIncrement() & ID_MASK;
    }

    /** Runs pre-req or post-req; an empty result means "continue to the next phase". */
    CompletableFuture<Optional<EmulatorResponse>> run(RequestState s, RouteEntry e, Phase phase) {
        Optional<ExtPluginConf> conf = e.route().plugin(phase);
        if (conf.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return client.communicate(
                        s.loop, e.confKey(phase), conf.get(), token -> reqCall(s, token), info -> switch (info) {
                            case ExtraInfoRequest.Var v -> s.var(v.name()).map(x -> x.getBytes(StandardCharsets.UTF_8));
                            case ExtraInfoRequest.ReqBody r ->
                                s.body.length == 0 ? Optional.empty() : Optional.of(s.body);
                            // "failed to read response body: not exits" (s13): no upstream response yet
                            case ExtraInfoRequest.RespBody r -> Optional.empty();
                        })
                .thenApply(outcome -> switch (outcome) {
                    case RpcOutcome.Replied(HttpReqCallResponse resp) -> applyReqCallReply(s, resp);
                    case RpcOutcome.Replied(A6Message other) ->
                        failed(conf.get(), phase, "unexpected reply " + other, true);
                    case RpcOutcome.Failed(String reason, boolean degradable) ->
                        failed(conf.get(), phase, reason, degradable);
                    case RpcOutcome.NotEncodable(String reason) -> {
                        log.error("{}: {} (APISIX raises a Lua error: 500, no frame)", phase.pluginName(), reason);
                        yield Optional.of(responses.page(500, true));
                    }
                });
    }

    private Optional<EmulatorResponse> failed(ExtPluginConf conf, Phase phase, String reason, boolean degradable) {
        log.error("{}: {}", phase.pluginName(), reason);
        if (degradable && conf.allowDegradation()) {
            log.warn("Plugin Runner is wrong, allow degradation");
            return Optional.empty(); // pass through unchanged, no Rewrite applied (s09)
        }
        return Optional.of(responses.page(503, false));
    }

    private A6Message reqCall(RequestState s, long token) {
        Method method;
        try {
            method = Method.valueOf(s.method);
        } catch (IllegalArgumentException e) {
            throw new NotEncodableException("method " + s.method + " is outside the A6 Method enum");
        }
        return new HttpReqCallRequest(
                nextId(),
                s.remote.getAddress().getAddress(),
                method,
                s.runnerPath(),
                s.runnerArgs(),
                s.runnerHeaders(),
                token);
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
        List<Header> set = ApisixResponses.setThenAdd(List.of(), stop.headers(), Set.of());
        Optional<byte[]> body = stop.body().filter(b -> b.length > 0);
        if (body.isEmpty()) {
            Optional<byte[]> nginxPage = NginxPages.page(status);
            if (nginxPage.isPresent()) {
                List<Header> withHtml = new ArrayList<>(set);
                if (withHtml.stream().noneMatch(h -> h.is("content-type"))) {
                    withHtml.add(0, new Header("Content-Type", "text/html; charset=utf-8"));
                }
                return responses.apisixResponse(status, withHtml, nginxPage.get());
            }
        }
        return responses.apisixResponse(status, set, body.orElse(new byte[0]));
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
}
