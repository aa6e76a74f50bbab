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

/**
 * APISIX's prometheus export server ({@code plugin_attr.prometheus.export_addr}, 127.0.0.1:9091 by default):
 * {@code GET /apisix/prometheus/metrics} answers the metrics as {@code text/plain}; anything else is 404.
 */
public final class MetricsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** The plugin's default {@code export_uri}. */
    public static final String EXPORT_URI = "/apisix/prometheus/metrics";

    private final PrometheusMetrics metrics;

    public MetricsHandler(PrometheusMetrics metrics) {
        this.metrics = requireNonNull(metrics, "metrics");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = request.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        FullHttpResponse response;
        if (request.method().name().equals("GET") && path.equals(EXPORT_URI)) {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(metrics.render(), StandardCharsets.UTF_8));
            response.headers().set("Content-Type", "text/plain");
        } else {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                    Unpooled.EMPTY_BUFFER);
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
