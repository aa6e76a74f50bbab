package org.a6suite.logging.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineChunksTest {

    /** Keeps every write as it was made. */
    private static final class RecordingStream extends OutputStream {
        final List<byte[]> writes = new ArrayList<>();
        int flushes;

        @Override
        public void write(int b) {
            throw new AssertionError("single-byte writes are not expected");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(Arrays.copyOfRange(b, off, off + len));
        }

        @Override
        public void flush() {
            flushes++;
        }

        String all() {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            writes.forEach(joined::writeBytes);
            return joined.toString(US_ASCII);
        }
    }

    private static byte[] line(char c, int length) {
        byte[] line = new byte[length];
        Arrays.fill(line, (byte) c);
        line[length - 1] = '\n';
        return line;
    }

    @Test
    void shouldPackLinesIntoWritesOfAtMost4096BytesThatEndAtLineBoundaries() throws IOException {
        RecordingStream out = new RecordingStream();
        LineChunks chunks = new LineChunks(out, LineTarget.PIPE_BUF);
        Random random = new Random(42);
        StringBuilder expected = new StringBuilder();
        List<Integer> lengths = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] line = line((char) ('a' + i % 26), 1 + random.nextInt(700));
            lengths.add(line.length);
            expected.append(new String(line, US_ASCII));
            chunks.add(line);
        }
        chunks.flush();

        assertThat(out.all()).isEqualTo(expected.toString());
        assertThat(out.writes).allSatisfy(write -> {
            assertThat(write.length).isBetween(1, 4096);
            assertThat(write[write.length - 1]).isEqualTo((byte) '\n');
        });
        // Greedy packing: a write ends only when the next line would not have fitted.
        int line = 0;
        for (int w = 0; w < out.writes.size() - 1; w++) {
            int size = 0;
            while (size < out.writes.get(w).length) {
                size += lengths.get(line++);
            }
            assertThat(size + lengths.get(line)).isGreaterThan(4096);
        }
        assertThat(out.flushes).isEqualTo(1);
    }

    @Test
    void shouldWriteALineLargerThanTheChunkWholeAndAloneWhenItDoesNotFit() throws IOException {
        RecordingStream out = new RecordingStream();
        LineChunks chunks = new LineChunks(out, LineTarget.PIPE_BUF);
        byte[] small = line('s', 100);
        byte[] huge = line('h', 10_000);

        chunks.add(small);
        chunks.add(huge);
        chunks.add(small);
        chunks.flush();

        assertThat(out.writes).hasSize(3);
        assertThat(out.writes.get(0)).isEqualTo(small);
        assertThat(out.writes.get(1)).isEqualTo(huge);
        assertThat(out.writes.get(2)).isEqualTo(small);
    }

    @Test
    void shouldWriteNothingWhenNoLineWasAdded() throws IOException {
        RecordingStream out = new RecordingStream();
        LineChunks chunks = new LineChunks(out, 16);

        chunks.flush();

        assertThat(out.writes).isEmpty();
    }

    @Test
    void shouldFillAChunkExactlyWhenLinesAddUpToIt() throws IOException {
        RecordingStream out = new RecordingStream();
        LineChunks chunks = new LineChunks(out, 8);

        chunks.add(line('a', 4));
        chunks.add(line('b', 4));
        chunks.add(line('c', 4));
        chunks.flush();

        assertThat(out.writes).extracting(w -> new String(w, US_ASCII)).containsExactly("aaa\nbbb\n", "ccc\n");
    }

    @Test
    void shouldRejectAChunkSizeBelowOne() {
        assertThatThrownBy(() -> new LineChunks(new RecordingStream(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxChunk: 0 (expected: >= 1)");
    }
}
