package org.a6suite.protocol.codec;

import static java.util.Objects.requireNonNull;

import org.a6suite.protocol.message.A6Message;

/**
 * The outcome of decoding one frame. Decoding never throws for bad input: a frame that cannot be read becomes
 * {@link Malformed}, its bytes are consumed, and the caller decides whether to answer with an error or close.
 */
public sealed interface DecodeResult {

    /** The frame was read into a typed message. */
    record Decoded(A6Message message) implements DecodeResult {
        public Decoded {
            requireNonNull(message, "message");
        }
    }

    /**
     * The frame could not be read.
     *
     * @param frameType the type byte as sent (0..255), whether known or not
     * @param length    the payload length from the frame header (0..{@link Frames#MAX_PAYLOAD})
     * @param reason    what was wrong, in the form {@code field: value (expected: ...)}; never contains payload bytes
     *                  beyond small field values
     */
    record Malformed(int frameType, int length, String reason) implements DecodeResult {
        public Malformed {
            requireNonNull(reason, "reason");
        }
    }
}
