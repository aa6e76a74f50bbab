package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A read-only endpoint on a side port: APISIX's prometheus export server ({@code plugin_attr.prometheus.export_addr},
 * 127.0.0.1:9091, {@code GET /apisix/prometheus/metrics}, {@code text/plain}) or its Control API (127.0.0.1:9090,
 * {@code GET /v1/healthcheck}, JSON). Anything else is 404. The body supplier decides freshness: for the exporter it
 * is {@link PrometheusMetrics#render()}, which, like APISIX's {@code get_cached_metrics}, answers the text of the last
 * {@code refresh_interval} refresh rather than counters of this instant.
 */
public final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** The plugin's default {@code export_uri}. */
    public static final String EXPORT_URI = "/apisix/prometheus/metrics";

    /** The Control API's health check listing. */
    public static final String HEALTHCHECK_URI = "/v1/healthcheck";

    private final String uri;
    private final String contentType;
    private final Supplier<String> body;

    public MetricsHandler(String uri, String contentType, Supplier<String> body) {
        this.uri = requireNonNull(uri, "uri");
        this.contentType = requireNonNull(contentType, "contentType");
        this.body = requireNonNull(body, "body");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = request.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        FullHttpResponse response;
        if (request.method().name().equals("GET") && path.equals(uri)) {
            response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body.get(), StandardCharsets.UTF_8));
            response.headers().set("Content-Type", contentType);
        } else {
            response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
        }
        response.headers().set("Server", Engine.SERVER);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        var f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
