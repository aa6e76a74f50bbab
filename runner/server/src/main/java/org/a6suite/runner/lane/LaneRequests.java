package org.a6suite.runner.lane;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestView;

/** Translates the request APISIX proxied to the lane into the plugin API's {@link RequestView}. */
final class LaneRequests {

    /** nginx's proxy sets it to {@code $remote_addr} (APISIX's default proxy headers). */
    static final String REAL_IP = "x-real-ip";

    private LaneRequests() {}

    /**
     * The view: method, decoded path, query arguments (an argument without {@code =} is a flag), lower-cased headers
     * without the handoff, the client address from {@code X-Real-IP} (an IP literal, never resolved), the whole
     * body, no vars (the lane has no APISIX to ask).
     *
     * @return empty when the method is one APISIX's protocol, and so the plugin API, cannot name
     * @throws IllegalArgumentException when the URI cannot be decoded
     */
    static Optional<RequestView> view(FullHttpRequest request) {
        HttpMethod method;
        try {
            method = HttpMethod.valueOf(request.method().name());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        List<Headers.Header> headers = new ArrayList<>(request.headers().size());
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!name.equals(Handoff.HEADER)) {
                headers.add(new Headers.Header(name, h.getValue()));
            }
        }
        String realIp = request.headers().get(REAL_IP);
        InetAddress source = realIp == null ? null : NetUtil.createInetAddressFromIpAddressString(realIp.strip());
        return Optional.of(new RequestView(
                method,
                uri.path(),
                args(uri.rawQuery()),
                Headers.of(headers),
                Optional.ofNullable(source),
                Map.of(),
                Optional.of(Body.wrap(ByteBufUtil.getBytes(request.content())))));
    }

    static QueryArgs args(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return QueryArgs.EMPTY;
        }
        List<QueryArgs.Arg> args = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 0) {
                args.add(QueryArgs.Arg.flag(QueryStringDecoder.decodeComponent(pair)));
            } else {
                args.add(QueryArgs.Arg.of(
                        QueryStringDecoder.decodeComponent(pair.substring(0, eq)),
                        QueryStringDecoder.decodeComponent(pair.substring(eq + 1))));
            }
        }
        return QueryArgs.of(args);
    }
}
