package org.a6suite.protocol.codec;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns each whole frame from {@link A6FrameDecoder} into a {@link DecodeResult}: {@code Decoded} with a typed
 * message, or {@code Malformed}, which is passed on rather than thrown so the handler above can answer (or close)
 * and the connection stays in step. The payload is read in place through {@link ByteBuf#nioBuffer(int, int)}; the
 * result holds no reference to the frame, which is released after this call.
 */
public final class A6MessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final Side side;

    public A6MessageDecoder(Side side) {
        super(ByteBuf.class);
        this.side = requireNonNull(side, "side");
    }

    /** Which end this decoder reads for. */
    public Side side() {
        return side;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decode(frame, side));
    }

    /** Decodes one whole frame (header included) without consuming it; usable without a pipeline. */
    public static DecodeResult decode(ByteBuf frame, Side side) {
        requireNonNull(frame, "frame");
        int start = frame.readerIndex();
        if (frame.readableBytes() < Frames.HEADER_LENGTH) {
            return new DecodeResult.Malformed(
                    frame.readableBytes() > 0 ? frame.getUnsignedByte(start) : -1,
                    0,
                    "frame: " + frame.readableBytes() + " bytes (expected: at least " + Frames.HEADER_LENGTH + ")");
        }
        int type = frame.getUnsignedByte(start);
        int length = frame.getUnsignedMedium(start + 1);
        if (frame.readableBytes() - Frames.HEADER_LENGTH != length) {
            return new DecodeResult.Malformed(
                    type,
                    length,
                    "length: " + length + " (expected: " + (frame.readableBytes() - Frames.HEADER_LENGTH)
                            + ", the bytes after the header)");
        }
        return A6MessageCodec.decode(type, frame.nioBuffer(start + Frames.HEADER_LENGTH, length), side);
    }
}
