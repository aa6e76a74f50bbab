package org.a6suite.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.ByteBuffer;
import org.a6suite.protocol.message.A6Message;

/**
 * Writes an {@link A6Message} as one frame, {@code [type:1][length:3 BE][payload]}, into a single buffer: the
 * payload is built in a per-thread FlatBuffer builder and copied once, straight after the header. A payload over
 * {@link Frames#MAX_PAYLOAD} fails the write (an {@code EncoderException} caused by {@code IllegalArgumentException});
 * nothing is written for it.
 *
 * <p>Stateless, so one instance may be shared by every channel.
 */
@Sharable
public final class A6MessageEncoder extends MessageToByteEncoder<A6Message> {

    public A6MessageEncoder() {
        super(A6Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, A6Message message, ByteBuf out) {
        encode(message, out);
    }

    /** Appends the whole frame for {@code message} to {@code out}; usable without a pipeline. */
    public static void encode(A6Message message, ByteBuf out) {
        MessageWriter.write(message, out, A6MessageEncoder::appendFrame);
    }

    private static Void appendFrame(A6Message message, ByteBuffer payload, ByteBuf out) {
        int length = payload.remaining();
        out.ensureWritable(Frames.HEADER_LENGTH + length);
        out.writeByte(message.frameType().code());
        out.writeMedium(length);
        out.writeBytes(payload);
        return null;
    }
}
