package org.a6suite.protocol.codec;

import static java.util.Objects.requireNonNull;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.a6suite.protocol.codec.FlatReader.MalformedFlatBufferException;
import org.a6suite.protocol.message.A6Message;

/**
 * Translates between A6 FlatBuffer payloads and {@link A6Message} records, without Netty. The Netty handlers
 * {@link A6MessageDecoder} and {@link A6MessageEncoder} are thin wrappers around this class.
 *
 * <p>Decoding is total: any input yields a {@link DecodeResult}, never an exception or an unbounded allocation.
 * Encoding omits defaults (id 0, status 0, GET) and empty lists, as APISIX does.
 */
public final class A6MessageCodec {

    private A6MessageCodec() {}

    /**
     * Decodes one payload.
     *
     * @param frameType the frame's type byte, 0..255
     * @param payload   the payload from its position to its limit (frame header excluded); read, not modified, and
     *                  not referenced by the result
     * @param side      which end we are, which decides what each type means
     * @return {@link DecodeResult.Decoded}, or {@link DecodeResult.Malformed} for an unknown type, an empty payload or
     *         an unreadable FlatBuffer
     */
    public static DecodeResult decode(int frameType, ByteBuffer payload, Side side) {
        requireNonNull(payload, "payload");
        requireNonNull(side, "side");
        int length = payload.remaining();
        if (frameType < 0 || frameType > 4) {
            return new DecodeResult.Malformed(
                    frameType, length, MessageReader.unknownType(frameType).getMessage());
        }
        if (length == 0) {
            // APISIX itself would fail on this (it hands nil to its FlatBuffers reader).
            return new DecodeResult.Malformed(frameType, 0, "length: 0 (expected: 1.." + Frames.MAX_PAYLOAD + ")");
        }
        try {
            return new DecodeResult.Decoded(MessageReader.read(frameType, payload, side));
        } catch (MalformedFlatBufferException e) {
            return new DecodeResult.Malformed(frameType, length, e.getMessage());
        } catch (IndexOutOfBoundsException | BufferUnderflowException | IllegalArgumentException e) {
            // FlatReader checks bounds itself; this is the safety net for anything it missed.
            return new DecodeResult.Malformed(
                    frameType,
                    length,
                    "payload: unreadable FlatBuffer (" + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * Encodes {@code message} into a finished FlatBuffer (no frame header).
     *
     * @throws IllegalArgumentException if the payload would exceed {@link Frames#MAX_PAYLOAD}
     */
    public static byte[] encode(A6Message message) {
        requireNonNull(message, "message");
        return MessageWriter.write(message, null, (m, payload, none) -> {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            return bytes;
        });
    }
}
