package org.a6suite.http.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Splits a byte stream into lines, incrementally: a line may arrive split across reads at any byte. Lines end with
 * LF, CRLF or a lone CR (as server-sent events allow); a CRLF split between two reads is one line end. UTF-8 is
 * decoded per whole line, so a character split across reads is never broken (LF and CR never occur inside a
 * multi-byte sequence).
 *
 * <p>A line longer than {@code maxLineBytes} puts the decoder in {@link State#FAILED}: a provider stream is never
 * buffered without bound. Not thread-safe: one decoder per stream, fed by one reader at a time.
 */
public final class LineDecoder {

    /** The decoder's state. */
    public enum State {
        /** Reading a line (possibly empty so far). */
        READING,
        /** The last byte was a CR: an LF next belongs to the same line end. */
        AFTER_CR,
        /** A line exceeded the limit; every later {@link #feed} is ignored. */
        FAILED
    }

    private final int maxLineBytes;
    private byte[] line = new byte[256];
    private int length;
    private State state = State.READING;

    public LineDecoder(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes: " + maxLineBytes + " (expected: >= 1)");
        }
        this.maxLineBytes = maxLineBytes;
    }

    public State state() {
        return state;
    }

    /** Feeds {@code bytes} (consumed to its limit) and hands every completed line, without its end, to {@code out}. */
    public void feed(ByteBuffer bytes, Consumer<String> out) {
        while (bytes.hasRemaining() && state != State.FAILED) {
            byte b = bytes.get();
            if (state == State.AFTER_CR) {
                state = State.READING;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                out.accept(new String(line, 0, length, StandardCharsets.UTF_8));
                length = 0;
                if (line.length > 4096) {
                    line = new byte[256]; // do not keep one long line's buffer for the rest of the stream
                }
                if (b == '\r') {
                    state = State.AFTER_CR;
                }
                continue;
            }
            if (length == maxLineBytes) {
                state = State.FAILED;
                line = new byte[0];
                length = 0;
                return;
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(maxLineBytes, line.length * 2));
            }
            line[length++] = b;
        }
    }

    /** Whether bytes of an unfinished line are held (a stream that ends here was cut mid-line). */
    public boolean hasPartialLine() {
        return length > 0;
    }
}
