package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.a6suite.runner.transport.NativeTransport;

/**
 * The runner's HTTP lane: an HTTP/1.1 server on loopback TCP that APISIX proxies a route's requests to after the
 * route's pre-req plugin stamped a handoff. It runs on the runner's epoll event loops. Each connection gets:
 *
 * <pre>
 *   IdleStateHandler -> HttpServerCodec -> BodyLimit (HttpObjectAggregator, 413 above the limit) -> LaneHandler
 * </pre>
 */
public final class LaneServer {

    /** nginx forwards every client header; cookies and tokens can be long. */
    private static final HttpDecoderConfig DECODER =
            new HttpDecoderConfig().setMaxInitialLineLength(16 * 1024).setMaxHeaderSize(64 * 1024);

    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final LaneServices services;

    private LaneServer(Channel serverChannel, ChannelGroup connections, LaneServices services) {
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.services = services;
    }

    /**
     * Binds {@code address} (port 0 picks a free one) and serves.
     *
     * @throws InterruptedException if interrupted while binding
     * @throws io.netty.channel.ChannelException (or another runtime exception) when the bind fails
     */
    public static LaneServer bind(InetSocketAddress address, EventLoopGroup group, LaneServices services)
            throws InterruptedException {
        requireNonNull(address, "address");
        requireNonNull(group, "group");
        requireNonNull(services, "services");
        ChannelGroup connections = new DefaultChannelGroup("a6-lane-connections", GlobalEventExecutor.INSTANCE);
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(NativeTransport.tcpServerChannel(group))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(
                                        "idle",
                                        new IdleStateHandler(
                                                services.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("http", new HttpServerCodec(DECODER));
                        ch.pipeline().addLast("body-limit", new BodyLimit(services));
                        ch.pipeline().addLast("lane", new LaneHandler(services));
                    }
                })
                .bind(address)
                .sync()
                .channel();
        return new LaneServer(channel, connections, services);
    }

    /** The bound address (with the real port when 0 was asked). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Closes the listener: no new connections; requests and streams in progress go on. */
    public void stopAccepting() {
        serverChannel.close().awaitUninterruptibly();
    }

    /** Waits until no request is being answered (streams included) or {@code timeout} passes; true if none is. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return services.exchanges().awaitDrained(timeout);
    }

    /** Requests being answered right now (a stream counts until its end). */
    public int activeExchanges() {
        return services.exchanges().count();
    }

    /** Closes every connection (streams still open end without their last chunk), waiting at most {@code millis}. */
    public void closeConnections(long millis) {
        connections.close().awaitUninterruptibly(millis);
    }

    /** Aggregates request bodies up to the limit and answers a larger one 413 with a problem document. */
    private static final class BodyLimit extends HttpObjectAggregator {
        private final LaneServices services;

        BodyLimit(LaneServices services) {
            super(services.maxBodyBytes(), true);
            this.services = services;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            services.metrics().answered(LaneMetrics.NO_PLUGIN, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code());
            // The rest of the body may still be on its way; closing is the only way not to read it.
            ctx.writeAndFlush(Problems.of(
                            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                            "body_too_large",
                            "the request body exceeds the lane's limit (A6_LANE_MAX_BODY_BYTES)",
                            false))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
