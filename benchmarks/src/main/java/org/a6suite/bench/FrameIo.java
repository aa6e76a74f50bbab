package org.a6suite.bench;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Blocking A6 frame I/O for the load driver and the echo floor. Deliberately minimal and allocation-light, so the
 * driver's own cost stays small next to the servers it measures.
 *
 * <pre>
 * +--------+------------------------+-------------------------+
 * | type:1 | length:3 (big-endian)  | payload: length bytes   |
 * +--------+------------------------+-------------------------+
 * </pre>
 */
final class FrameIo {
    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(4);
    private ByteBuffer payload = ByteBuffer.allocate(64 * 1024);

    FrameIo(SocketChannel channel) {
        this.channel = channel;
    }

    /** A frame read into a buffer that stays valid until the next read. */
    record Frame(int type, ByteBuffer payload) {}

    static byte[] frame(int type, byte[] payload) {
        byte[] out = new byte[4 + payload.length];
        out[0] = (byte) type;
        out[1] = (byte) (payload.length >>> 16);
        out[2] = (byte) (payload.length >>> 8);
        out[3] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 4, payload.length);
        return out;
    }

    void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    void write(byte[] bytes) throws IOException {
        write(ByteBuffer.wrap(bytes));
    }

    Frame read() throws IOException {
        header.clear();
        readFully(header);
        header.flip();
        int type = header.get() & 0xFF;
        int length = ((header.get() & 0xFF) << 16) | ((header.get() & 0xFF) << 8) | (header.get() & 0xFF);
        if (payload.capacity() < length) {
            payload = ByteBuffer.allocate(Math.max(length, payload.capacity() * 2));
        }
        payload.clear().limit(length);
        readFully(payload);
        payload.flip();
        return new Frame(type, payload);
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("peer closed the connection");
            }
        }
    }
}
