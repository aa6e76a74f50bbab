package org.a6suite.runner.transport;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.a6suite.protocol.codec.Frames;
import org.a6suite.runner.config.ConnectionLimits;

/**
 * Sits in front of the frame decoder and decides, from each frame header, whether the runner will buffer that frame
 * at all; it also knows whether the connection stopped inside a frame, which is what makes a silent connection dead
 * rather than pooled (APISIX keeps idle connections for 180 s between calls, but sends each frame in one write).
 *
 * <p>It walks the frame headers in the raw bytes (no copy, no allocation) and passes every buffer on untouched,
 * except in two cases it reports to the connection handler as a user event:
 *
 * <ul>
 *   <li>{@link Refused}: a frame larger than {@link ConnectionLimits#connectionBufferBytes()} did not fit in the
 *       global {@link BufferBudget}. Nothing more is read from the connection.</li>
 *   <li>{@link TimedOut}: a frame was still incomplete {@link ConnectionLimits#frameTimeout()} after it started (a
 *       slow sender). Idle time between frames never counts.</li>
 * </ul>
 *
 * <pre>
 *   HEADER --4th header byte, admitted--> PAYLOAD --last payload byte--> HEADER
 *      |                                                                   ^
 *      +--4th header byte, length 0-----------------------------------------+
 *      +--4th header byte, over budget--> REFUSED (drops everything after)
 * </pre>
 *
 * <p>The frame deadline runs on the connection's event loop (Netty's scheduler, real time): a task is scheduled only
 * when a read ends inside a frame, so frames that arrive in one read, which is all of APISIX's, cost nothing.
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {

    /** Why the connection is to be closed; sent down the pipeline as a user event. */
    sealed interface Verdict permits Refused, TimedOut {}

    /** @param frameBytes the frame's announced size, header included; @param reserved the global total then */
    record Refused(long frameBytes, long reserved, long budget) implements Verdict {}

    record TimedOut(Duration frameTimeout) implements Verdict {}

    private enum State {
        HEADER,
        PAYLOAD,
        REFUSED
    }

    private final ConnectionLimits limits;
    private final BufferBudget budget;

    private State state = State.HEADER;
    private int headerBytesSeen;
    private int length;
    private long payloadLeft;
    /** Bytes this connection holds in the budget for the frame in progress. */
    private long reserved;
    /** Counts frames started, so a deadline task knows whether its frame is still the one in progress. */
    private long frameSeq;

    private long deadlineSeq = -1;

    FrameGuard(ConnectionLimits limits, BufferBudget budget) {
        this.limits = requireNonNull(limits, "limits");
        this.budget = requireNonNull(budget, "budget");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.REFUSED) {
            ReferenceCountUtil.release(buf);
            return;
        }
        Refused refused = scan(buf);
        if (refused != null) {
            // The connection is closed for it; frames earlier in this buffer would only start work nobody can
            // answer, so the whole buffer goes.
            ReferenceCountUtil.release(buf);
            ctx.fireUserEventTriggered(refused);
            return;
        }
        if (midFrame() && deadlineSeq != frameSeq) {
            long seq = frameSeq;
            deadlineSeq = seq;
            ctx.executor()
                    .schedule(() -> onDeadline(ctx, seq), limits.frameTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(buf);
    }

    private void onDeadline(ChannelHandlerContext ctx, long seq) {
        if (seq == frameSeq
                && midFrame()
                && state != State.REFUSED
                && ctx.channel().isActive()) {
            ctx.fireUserEventTriggered(new TimedOut(limits.frameTimeout()));
        }
    }

    /** Walks the headers in {@code buf}; the verdict if a frame was refused, else null. */
    private Refused scan(ByteBuf buf) {
        int index = buf.readerIndex();
        int end = buf.writerIndex();
        while (index < end) {
            if (state == State.PAYLOAD) {
                int skip = (int) Math.min(payloadLeft, end - index);
                index += skip;
                payloadLeft -= skip;
                if (payloadLeft == 0) {
                    frameDone();
                }
                continue;
            }
            int b = buf.getUnsignedByte(index++);
            if (headerBytesSeen == 0) {
                frameSeq++;
            } else {
                length = (length << 8) | b;
            }
            if (++headerBytesSeen == Frames.HEADER_LENGTH) {
                headerBytesSeen = 0;
                long frameBytes = Frames.HEADER_LENGTH + (long) length;
                if (frameBytes <= limits.connectionBufferBytes()) {
                    budget.reserve(frameBytes);
                } else if (!budget.tryReserve(frameBytes)) {
                    state = State.REFUSED;
                    return new Refused(frameBytes, budget.reserved(), budget.max());
                }
                reserved = frameBytes;
                payloadLeft = length;
                length = 0;
                if (payloadLeft > 0) {
                    state = State.PAYLOAD;
                } else {
                    frameDone();
                }
            }
        }
        return null;
    }

    /** The frame's last byte is here: the decoder turns it into a message next, so its reservation ends. */
    private void frameDone() {
        state = State.HEADER;
        budget.release(reserved);
        reserved = 0;
    }

    /** True when the bytes received so far end inside a frame. */
    boolean midFrame() {
        return state == State.PAYLOAD || headerBytesSeen > 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseReservation();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseReservation();
    }

    private void releaseReservation() {
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
    }
}
