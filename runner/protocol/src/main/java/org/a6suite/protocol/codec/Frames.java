package org.a6suite.protocol.codec;

/**
 * Constants of A6 framing: {@code [type:1][length:3, big-endian][payload:length]}. See {@link A6FrameDecoder} for the
 * drawing.
 */
public final class Frames {
    /** Largest payload a 3-byte length can carry: 2^24 - 1 = 16 777 215 bytes. APISIX refuses to send more. */
    public static final int MAX_PAYLOAD = 0xFF_FFFF;
    /** Bytes before the payload: one type byte and a 3-byte big-endian length. */
    public static final int HEADER_LENGTH = 4;
    /** Largest whole frame, header included. */
    public static final int MAX_FRAME = HEADER_LENGTH + MAX_PAYLOAD;

    private Frames() {}
}
