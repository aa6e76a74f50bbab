package org.a6suite.runner.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Watches the raw bytes in front of the frame decoder to know whether the connection stopped in the middle of a
 * frame, which is what makes an idle connection dead rather than pooled: APISIX keeps idle connections for 180 s
 * between calls, but never pauses inside a frame. It only walks frame headers (no copy, no allocation) and passes
 * every buffer on untouched.
 */
final class PartialFrameTracker extends ChannelInboundHandlerAdapter {

    private enum State { HEADER, PAYLOAD }

    private State state = State.HEADER;
    private int headerBytesSeen;
    private int length;
    private long payloadLeft;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            scan(buf);
        }
        ctx.fireChannelRead(msg);
    }

    private void scan(ByteBuf buf) {
        int index = buf.readerIndex();
        int end = buf.writerIndex();
        while (index < end) {
            if (state == State.PAYLOAD) {
                int skip = (int) Math.min(payloadLeft, end - index);
                index += skip;
                payloadLeft -= skip;
                if (payloadLeft == 0) {
                    state = State.HEADER;
                }
                continue;
            }
            int b = buf.getUnsignedByte(index++);
            if (headerBytesSeen > 0) {
                length = (length << 8) | b;
            }
            if (++headerBytesSeen == 4) {
                headerBytesSeen = 0;
                payloadLeft = length;
                length = 0;
                state = payloadLeft > 0 ? State.PAYLOAD : State.HEADER;
            }
        }
    }

    /** True when the bytes received so far end inside a frame. */
    boolean midFrame() {
        return state == State.PAYLOAD || headerBytesSeen > 0;
    }
}
