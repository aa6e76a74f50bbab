package org.a6suite.runner.lane;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;
import java.util.Set;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.LaneResponse;

/**
 * A plugin's lane answer as HTTP/1.1: the plugin's headers minus the ones the lane owns (hop-by-hop headers and the
 * framing it sets itself), then the lane's framing. Netty refuses a status or header that is not valid HTTP with an
 * {@link IllegalArgumentException} before anything is written.
 */
final class LaneHeads {

    static final String ACCEL_BUFFERING = "x-accel-buffering";

    /** Headers the lane owns: hop-by-hop ones and the framing it sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "transfer-encoding",
            "te",
            "trailer",
            "upgrade",
            "content-length");

    private LaneHeads() {}

    /** A whole answer with its {@code Content-Length}; the body's array is wrapped, not copied. */
    static FullHttpResponse whole(LaneResponse.Whole whole) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(whole.status()),
                Unpooled.wrappedBuffer(whole.body().asByteBuffer()));
        copy(whole.headers(), response.headers());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, whole.body().size());
        return response;
    }

    /** The head of a chunked answer; {@code X-Accel-Buffering: no} unless the plugin set it. */
    static HttpResponse streamed(LaneResponse.Streamed streamed, boolean keepAlive) {
        HttpResponse head =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(streamed.status()));
        copy(streamed.headers(), head.headers());
        if (!streamed.headers().contains(ACCEL_BUFFERING)) {
            // nginx buffers upstream responses by default; this makes it relay each chunk as it arrives.
            head.headers().set(ACCEL_BUFFERING, "no");
        }
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        return head;
    }

    private static void copy(Headers from, HttpHeaders to) {
        for (Headers.Header h : from) {
            if (!NOT_FORWARDED.contains(h.name().toLowerCase(Locale.ROOT))) {
                to.add(h.name(), h.value());
            }
        }
    }
}
