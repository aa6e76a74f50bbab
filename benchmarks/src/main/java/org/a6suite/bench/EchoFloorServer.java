package org.a6suite.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.a6suite.protocol.message.PrepareConfResponse;

/**
 * The floor no runner can beat: a bare Unix-socket server that answers each call with pre-encoded frames of the same
 * shapes a runner sends (ExtraInfo requests pipelined in one write, then the reply), doing no decoding and running no
 * plugin. One thread per connection, blocking I/O.
 *
 * <p>Usage: {@code EchoFloorServer --socket PATH --workload noop|vars|body}
 */
public final class EchoFloorServer {

    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[1]);
        Workload workload = Workload.valueOf(args[3].toUpperCase(Locale.ROOT));
        Files.deleteIfExists(socket);
        byte[] prepared = Frames.encode(new PrepareConfResponse(1));
        List<byte[]> infos = Frames.echoExtraInfoRequests(workload);
        int infoLength = infos.stream().mapToInt(b -> b.length).sum();
        ByteBuffer pipelined = ByteBuffer.allocate(infoLength);
        infos.forEach(pipelined::put);
        byte[] infoBytes = pipelined.array();
        byte[] reply = Frames.echoReply(workload);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.err.println("echo floor listening on " + socket + " for " + workload);
            while (true) {
                SocketChannel ch = server.accept();
                Thread.ofPlatform().daemon().start(() -> serve(ch, prepared, infoBytes, infos.size(), reply));
            }
        }
    }

    private static void serve(SocketChannel ch, byte[] prepared, byte[] infoBytes, int infoCount, byte[] reply) {
        try (ch) {
            FrameIo io = new FrameIo(ch);
            while (true) {
                FrameIo.Frame f = io.read();
                if (f.type() == 1) {
                    io.write(prepared);
                    continue;
                }
                if (infoCount > 0) {
                    io.write(infoBytes);
                    for (int i = 0; i < infoCount; i++) {
                        io.read();
                    }
                }
                io.write(reply);
            }
        } catch (IOException closed) {
            // the driver closed the connection: normal end
        }
    }
}
