package org.a6suite.logging.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Packs encoded log lines into as few {@code write}s as possible, each at most {@code maxChunk} bytes and each ending
 * at a line boundary: a line is never split across two writes.
 *
 * <p>Why the bound: a write of at most {@code PIPE_BUF} (4096 bytes on Linux) to a pipe is atomic, so when the target
 * is stderr (a pipe APISIX reads into its error.log) lines other writers put on the same pipe never land inside one
 * of ours. A line longer than {@code maxChunk} is written whole, alone, in one write of its own (atomicity is then
 * not guaranteed by the pipe, but the line is not mixed with our other lines).
 *
 * <p>Not thread-safe: used by the one writer thread only.
 */
public final class LineChunks {

    private final OutputStream out;
    private final byte[] buffer;
    private int used;

    /**
     * @param out      receives each chunk in one {@link OutputStream#write(byte[], int, int)} call
     * @param maxChunk largest chunk in bytes, at least 1
     */
    public LineChunks(OutputStream out, int maxChunk) {
        this.out = Objects.requireNonNull(out, "out");
        if (maxChunk < 1) {
            throw new IllegalArgumentException("maxChunk: " + maxChunk + " (expected: >= 1)");
        }
        this.buffer = new byte[maxChunk];
    }

    /** Adds one encoded line (or event); writes the pending chunk first when the line does not fit in it. */
    public void add(byte[] line) throws IOException {
        if (line.length == 0) {
            return;
        }
        if (used + line.length > buffer.length) {
            writePending();
        }
        if (line.length > buffer.length) {
            out.write(line, 0, line.length);
            return;
        }
        System.arraycopy(line, 0, buffer, used, line.length);
        used += line.length;
    }

    /** Writes what is pending (one write) and flushes {@code out}. */
    public void flush() throws IOException {
        writePending();
        out.flush();
    }

    private void writePending() throws IOException {
        if (used > 0) {
            int length = used;
            // Reset first: after a failed write the lines are given up, not written again with the next chunk.
            used = 0;
            out.write(buffer, 0, length);
        }
    }
}
