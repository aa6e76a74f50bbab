package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** The client-facing side: turns each aggregated request into an {@link Engine} call and writes its response. */
public final class HttpFrontHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /**
     * Whether the request as sent carried Content-Length: HttpObjectAggregator adds {@code Content-Length: 0} to
     * requests without a body, which APISIX would never show the runner or the upstream.
     */
    static final AttributeKey<Boolean> HAD_LENGTH = AttributeKey.valueOf("a6-emulator-had-content-length");

    /** Goes before the aggregator and notes whether the client sent Content-Length. */
    public static ChannelInboundHandlerAdapter lengthRecorder() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest r) {
                    ctx.channel().attr(HAD_LENGTH).set(r.headers().contains("Content-Length"));
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private final Engine engine;

    public HttpFrontHandler(Engine engine) {
        this.engine = requireNonNull(engine, "engine");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            write(ctx, engine.page(400, true), true, false);
            return;
        }
        List<Header> headers = new ArrayList<>();
        request.headers().iteratorAsString().forEachRemaining(e -> headers.add(new Header(e.getKey(), e.getValue())));
        if (!Boolean.TRUE.equals(ctx.channel().attr(HAD_LENGTH).get())) {
            headers.removeIf(h -> h.is("content-length"));
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().name().equals("HEAD");
        engine.handle(
                        ctx.channel().eventLoop(),
                        (InetSocketAddress) ctx.channel().remoteAddress(),
                        (InetSocketAddress) ctx.channel().localAddress(),
                        request.method().name(),
                        request.uri(),
                        headers,
                        body)
                // completes on this channel's loop (Engine.handle), so the answer is written in the same task
                .whenComplete((response, error) -> Loops.run(
                        ctx.channel().eventLoop(),
                        () -> write(ctx, error == null ? response : engine.page(500, true), !keepAlive, head)));
    }

    private static void write(ChannelHandlerContext ctx, EmulatorResponse r, boolean closeAnyway, boolean head) {
        HttpResponseStatus status = new HttpResponseStatus(r.status(), NginxPages.reason(r.status()));
        boolean chunked = r.headers().stream().anyMatch(h -> h.is("transfer-encoding"));
        HttpHeaders headers =
                DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        for (Header h : r.headers()) {
            headers.add(h.name(), h.value());
        }
        byte[] body = head ? new byte[0] : r.body();
        ChannelFutureListener after =
                r.close() || closeAnyway ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE;
        if (r.stream().isPresent() && !head) {
            relay(
                    ctx.channel(),
                    new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers),
                    r.stream().get(),
                    after);
            return;
        }
        if (chunked) {
            ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers));
            ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)))
                    .addListener(after);
        } else {
            DefaultFullHttpResponse full = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    status,
                    Unpooled.wrappedBuffer(body),
                    headers,
                    DefaultHttpHeadersFactory.trailersFactory().newHeaders());
            ctx.writeAndFlush(full).addListener(after);
        }
    }

    /**
     * Writes the head now and each upstream chunk as it arrives (nginx's unbuffered proxying). Reading from the upstream
     * pauses while the client cannot take more. When the client goes away the upstream connection is closed; when the
     * upstream fails mid-body the client connection is closed without the last chunk, so the client sees a truncated
     * body, never a complete one.
     */
    private static void relay(Channel client, HttpResponse head, UpstreamBody body, ChannelFutureListener after) {
        client.writeAndFlush(head);
        ChannelFutureListener abortOnClose = f -> body.abort();
        client.closeFuture().addListener(abortOnClose);
        body.relay(new UpstreamBody.Listener() {
            @Override
            public void onChunk(ByteBuf chunk) {
                client.writeAndFlush(new DefaultHttpContent(chunk)).addListener(w -> {
                    if (!w.isSuccess()) {
                        client.close();
                    } else if (client.isWritable()) {
                        body.resume();
                    }
                });
                if (!client.isWritable()) {
                    body.pause();
                }
            }

            @Override
            public void onEnd() {
                client.closeFuture().removeListener(abortOnClose);
                client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(after);
            }

            @Override
            public void onError(UpstreamException error) {
                client.closeFuture().removeListener(abortOnClose);
                client.close();
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
