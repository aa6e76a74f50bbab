package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.a6suite.protocol.codec.A6Codecs;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.ExtraInfoResponse;
import org.a6suite.protocol.message.FrameType;

/**
 * One APISIX-side connection to the runner: one RPC at a time, never pipelined (transcripts README §4). A call writes its
 * request, answers every ExtraInfo request in arrival order (the runner may pipeline them, transcripts s01/s03), and
 * ends at the first frame of the call's own type or type 0. Any other type fails the call with
 * {@code unexpected type N} (transcript s14).
 *
 * <p>The connection remembers whether bytes are left unread after the reply (the rest of the read that carried it,
 * or anything arriving while idle): OpenResty's {@code setkeepalive} refuses such a connection ("unread data in
 * buffer", transcripts README, notes), so the pool closes it.
 */
final class RunnerConnection {

    static final String METER_IN = "emulator-bytes-in";
    static final String METER_FRAMES = "emulator-frame-bytes";
    static final String HANDLER = "emulator-rpc";

    private final Channel channel;
    private final Handler handler = new Handler();
    // Bytes the socket delivered vs bytes handed on as whole frames: a difference is a partial frame still unread.
    private long bytesIn;
    private long frameBytes;

    RunnerConnection(Channel channel) {
        this.channel = requireNonNull(channel, "channel");
    }

    /** Adds the A6 codecs (APISIX side) and this connection's meters and handler to the channel's pipeline. */
    void install() {
        var p = channel.pipeline();
        p.addLast(METER_IN, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    bytesIn += buf.readableBytes();
                }
                ctx.fireChannelRead(msg);
            }
        });
        A6Codecs.install(p, org.a6suite.protocol.codec.Side.APISIX);
        p.addAfter(A6Codecs.FRAME_DECODER, METER_FRAMES, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    frameBytes += buf.readableBytes(); // frames include their 4-byte header
                }
                ctx.fireChannelRead(msg);
            }
        });
        p.addLast(HANDLER, handler);
    }

    Channel channel() {
        return channel;
    }

    /** Whether the pool may keep this connection: open, and nothing unread after the last reply. */
    boolean reusable() {
        return channel.isActive() && !handler.dirty && bytesIn == frameBytes && handler.call == null;
    }

    void close() {
        channel.close();
    }

    /**
     * Sends {@code request} and completes with the reply: a message of the request's frame type, or an
     * {@code ErrorResponse}. Fails with {@link RpcException} on timeout, close, an unexpected type or a malformed frame.
     *
     * @param extraInfo  answers ExtraInfo requests; an empty Optional is sent as an absent result
     * @param readTimeout APISIX's socket read timeout, applied to every wait for a frame (60 s)
     */
    CompletableFuture<A6Message> call(
            A6Message request, Function<ExtraInfoRequest.Info, Optional<byte[]>> extraInfo, Duration readTimeout) {
        CompletableFuture<A6Message> result = new CompletableFuture<>();
        // On the request's own loop (the usual case, see RunnerPool) the call starts at once, without a posted task.
        Loops.run(
                channel.eventLoop(),
                () -> handler.start(new Call(request.frameType(), extraInfo, readTimeout, result), request));
        return result;
    }

    private static final class Call {
        final FrameType type;
        final Function<ExtraInfoRequest.Info, Optional<byte[]>> extraInfo;
        final Duration readTimeout;
        final CompletableFuture<A6Message> result;
        ScheduledFuture<?> timeout;
        A6Message reply;

        Call(
                FrameType type,
                Function<ExtraInfoRequest.Info, Optional<byte[]>> extraInfo,
                Duration readTimeout,
                CompletableFuture<A6Message> result) {
            this.type = type;
            this.extraInfo = extraInfo;
            this.readTimeout = readTimeout;
            this.result = result;
        }
    }

    /** Event-loop confined: every field is touched only on the channel's event loop. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        Call call;
        boolean dirty;

        void start(Call c, A6Message request) {
            if (call != null || !channel.isActive()) {
                c.result.completeExceptionally(new RpcException(call != null ? "connection busy" : "closed"));
                return;
            }
            call = c;
            armTimeout();
            channel.writeAndFlush(request).addListener(f -> {
                if (!f.isSuccess()) {
                    fail("failed to send RPC_" + c.type + ": " + f.cause().getMessage());
                    channel.close();
                }
            });
        }

        private void armTimeout() {
            if (call.timeout != null) {
                call.timeout.cancel(false);
            }
            Call c = call;
            call.timeout = channel.eventLoop()
                    .schedule(
                            () -> {
                                if (call == c) {
                                    fail("failed to receive RPC_" + c.type + ": timeout");
                                    channel.close();
                                }
                            },
                            c.readTimeout.toNanos(),
                            TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (call == null || call.reply != null) {
                // A frame after the reply (a duplicate reply, s14) or while idle: unread data for setkeepalive.
                dirty = true;
                return;
            }
            if (!(msg instanceof DecodeResult result)) {
                return;
            }
            switch (result) {
                case DecodeResult.Malformed m -> {
                    fail("failed to receive RPC_" + call.type + ": malformed frame type " + m.frameType() + " ("
                            + m.reason() + ")");
                    channel.close();
                }
                case DecodeResult.Decoded d -> onMessage(d.message());
            }
        }

        private void onMessage(A6Message message) {
            if (message instanceof ExtraInfoRequest req) {
                Optional<byte[]> answer;
                try {
                    answer = call.extraInfo.apply(req.info());
                } catch (RuntimeException e) {
                    fail("failed to answer extra info: " + e.getMessage());
                    channel.close();
                    return;
                }
                channel.writeAndFlush(new ExtraInfoResponse(answer));
                armTimeout();
                return;
            }
            FrameType type = message.frameType();
            if (type == call.type || type == FrameType.ERROR) {
                // Completed at channelReadComplete, so frames later in the same read mark the connection dirty first.
                call.reply = message;
                call.timeout.cancel(false);
                return;
            }
            fail("failed to receive RPC_" + call.type + ": unexpected type " + type.code());
            channel.close();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (call != null && call.reply != null) {
                Call c = call;
                call = null;
                c.result.complete(c.reply);
            } else if (call == null && dirty) {
                channel.close();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (call != null && call.reply == null) {
                fail("failed to receive RPC_" + call.type + ": closed");
            } else if (call != null) {
                channelReadComplete(ctx);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (call != null && call.reply == null) {
                fail("failed to receive RPC_" + call.type + ": " + cause.getMessage());
            }
            ctx.close();
        }

        private void fail(String reason) {
            Call c = call;
            if (c == null) {
                return;
            }
            call = null;
            if (c.timeout != null) {
                c.timeout.cancel(false);
            }
            c.result.completeExceptionally(new RpcException(reason));
        }
    }
}
