package org.a6suite.runner.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.a6suite.protocol.codec.A6MessageCodec;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.codec.Side;
import org.a6suite.protocol.message.A6Message;

/** APISIX's side of one connection over a plain JDK socket, with the project's codec. */
final class BlockingA6Client implements AutoCloseable {

    private final SocketChannel channel;

    BlockingA6Client(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    void send(A6Message message) throws IOException {
        byte[] payload = A6MessageCodec.encode(message);
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.length);
        frame.put((byte) message.frameType().code());
        frame.put((byte) (payload.length >>> 16))
                .put((byte) (payload.length >>> 8))
                .put((byte) payload.length);
        frame.put(payload).flip();
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }

    /** Reads one frame, failing after {@code timeout}. */
    A6Message receive(Duration timeout) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
                    try {
                        ByteBuffer header = readFully(4);
                        int type = header.get(0) & 0xff;
                        int length =
                                ((header.get(1) & 0xff) << 16) | ((header.get(2) & 0xff) << 8) | (header.get(3) & 0xff);
                        DecodeResult result = A6MessageCodec.decode(type, readFully(length), Side.APISIX);
                        if (result instanceof DecodeResult.Decoded d) {
                            return d.message();
                        }
                        throw new IllegalStateException("malformed reply: " + result);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ByteBuffer readFully(int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new IOException("closed by the runner after " + buf.position() + " of " + n + " bytes");
            }
        }
        return buf.flip();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
