package org.a6suite.http.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.ChannelPromise;

/**
 * Counts bytes at the socket end of the pipeline (below TLS): bytes the kernel accepted from us, and bytes read.
 * An exchange compares them with its start to know whether any of its request went out and whether any response
 * byte came back, the two facts the stale-connection retry rule rests on (Go counts the same with
 * {@code persistConn.nwrite}).
 *
 * <p>Written bytes are counted from write progress, which the transport reports after each (even partial) socket
 * write, not when a buffer is queued: a buffer queued on a connection that then fails counts as unwritten.
 * Confined to the channel's event loop.
 */
final class TrafficCounter extends ChannelDuplexHandler {

    private long written;
    private long read;

    long written() {
        return written;
    }

    long read() {
        return read;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            read += buf.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf) || !buf.isReadable()) {
            ctx.write(msg, promise);
            return;
        }
        ChannelProgressivePromise tracked = ctx.newProgressivePromise();
        tracked.addListener(new ChannelProgressiveFutureListener() {
            private long seen; // progress is cumulative per buffer

            @Override
            public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
                written += progress - seen;
                seen = progress;
            }

            @Override
            public void operationComplete(ChannelProgressiveFuture future) {
                if (future.isSuccess()) {
                    promise.trySuccess();
                } else {
                    promise.tryFailure(future.cause());
                }
            }
        });
        ctx.write(msg, tracked);
    }
}
