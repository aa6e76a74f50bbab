package org.a6suite.protocol.codec;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream into A6 frames. Each emitted {@code ByteBuf} is one whole frame, header included, as a
 * retained slice of the cumulation buffer (no copy); {@link A6MessageDecoder} reads it.
 *
 * <pre>
 *   byte 0      bytes 1..3                 bytes 4 .. 4+length-1
 * +--------+--------+--------+--------+------------------------------------------+
 * |  type  |  length (unsigned 24-bit,  |  payload: a finished little-endian        |
 * | 0..255 |  big-endian, 0..2^24-1)    |  FlatBuffer, no identifier, no size prefix |
 * +--------+--------+--------+--------+------------------------------------------+
 *   0 ERROR  1 PREPARE_CONF  2 HTTP_REQ_CALL  3 EXTRA_INFO  4 HTTP_RESP_CALL
 * </pre>
 *
 * <p>The length counts the payload only. A 3-byte length cannot exceed {@link Frames#MAX_PAYLOAD}, so this decoder
 * never sees a frame that is too long; it only waits until the whole frame has arrived. Frames with an unknown type or
 * length 0 are still passed on whole, so the message decoder can report them as malformed and the stream stays in
 * step.
 */
public final class A6FrameDecoder extends LengthFieldBasedFrameDecoder {
    private static final int LENGTH_FIELD_OFFSET = 1;
    private static final int LENGTH_FIELD_LENGTH = 3;

    public A6FrameDecoder() {
        super(Frames.MAX_FRAME, LENGTH_FIELD_OFFSET, LENGTH_FIELD_LENGTH, 0, 0, true);
    }
}
