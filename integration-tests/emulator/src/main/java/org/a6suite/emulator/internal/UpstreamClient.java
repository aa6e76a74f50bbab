package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.a6suite.emulator.EmulatorUpstream;

/**
 * One HTTP/1.1 request to an upstream node on a fresh connection, closed after the answer. The request target and
 * header names go out byte for byte as given (Netty's encoder keeps case and order), so tests see what nginx or
 * lua-resty-http would send.
 */
final class UpstreamClient {

    private static final int MAX_BODY = 64 * 1024 * 1024;
    private static final AttributeKey<Boolean> STARTED = AttributeKey.valueOf("a6-emulator-upstream-started");

    private final EventLoopGroup group;

    UpstreamClient(EventLoopGroup group) {
        this.group = requireNonNull(group, "group");
    }

    CompletableFuture<UpstreamResponse> send(EmulatorUpstream.Node node, EmulatorUpstream.Timeout timeout,
                                             String method, String target, List<Header> headers, byte[] body) {
        CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        timeout.connect().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // nginx's send/read timeouts bound the gap between two successive writes/reads
                        ch.pipeline().addLast(
                                new ReadTimeoutHandler(timeout.read().toNanos(), TimeUnit.NANOSECONDS),
                                new WriteTimeoutHandler(timeout.send().toNanos(), TimeUnit.NANOSECONDS),
                                new HttpClientCodec(),
                                new HeaderSeen(),
                                new HttpObjectAggregator(MAX_BODY),
                                new ResponseHandler(result));
                    }
                });
        b.connect(node.host(), node.port()).addListener(f -> {
            if (!f.isSuccess()) {
                boolean timedOut = f.cause() instanceof io.netty.channel.ConnectTimeoutException;
                result.completeExceptionally(new UpstreamException((timedOut ? "upstream timed out: connect() to "
                        : "connect() to ") + node.hostPort() + " failed: " + f.cause().getMessage(), timedOut,
                        false, false));
                return;
            }
            Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
            // Head and body written separately: a FullHttpRequest would get a Content-Length the caller did not set.
            HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target,
                    DefaultHttpHeadersFactory.headersFactory().withValidation(false));
            for (Header h : headers) {
                request.headers().add(h.name(), h.value());
            }
            ch.write(request);
            ch.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body))).addListener(w -> {
                if (!w.isSuccess()) {
                    boolean timedOut = w.cause() instanceof WriteTimeoutException;
                    result.completeExceptionally(new UpstreamException((timedOut ? "upstream timed out: send() to "
                            : "send() to ") + node.hostPort() + " failed: " + w.cause().getMessage(), timedOut));
                    ch.close();
                }
            });
        });
        return result;
    }

    /** Notes when the response head arrives: from then on nginx cannot try another node. */
    private static final class HeaderSeen extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse) {
                ctx.channel().attr(STARTED).set(Boolean.TRUE);
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static boolean started(ChannelHandlerContext ctx) {
        return Boolean.TRUE.equals(ctx.channel().attr(STARTED).get());
    }

    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<UpstreamResponse> result;

        ResponseHandler(CompletableFuture<UpstreamResponse> result) {
            this.result = result;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            List<Header> headers = new ArrayList<>();
            response.headers().iteratorAsString().forEachRemaining(e -> headers.add(new Header(e.getKey(),
                    e.getValue())));
            result.complete(new UpstreamResponse(response.status().code(), headers,
                    ByteBufUtil.getBytes(response.content())));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new UpstreamException(
                    "upstream prematurely closed connection while reading response header from upstream", false,
                    true, started(ctx)));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            boolean timedOut = cause instanceof ReadTimeoutException || cause instanceof WriteTimeoutException;
            result.completeExceptionally(new UpstreamException(timedOut
                    ? "upstream timed out while reading response header from upstream"
                    : "recv() failed: " + cause.getMessage(), timedOut, true, started(ctx)));
            ctx.close();
        }
    }
}
