package org.a6suite.e2e.fallback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 backend with keep-alive whose misbehaviour a test switches at run time: answer, hang, 503,
 * reset the connection after reading the request, drip the body one byte every 100 ms, send a large body, or stream
 * two server-sent events {@link #STREAM_PAUSE} apart. Blocking sockets, one
 * virtual thread per connection. Answers name the backend, so a test sees which node served a request.
 */
final class FaultyBackend implements AutoCloseable {

    enum Mode {
        OK,
        HANG,
        STATUS_503,
        RESET,
        DRIP,
        BIG,
        STREAM
    }

    /** The body size of {@link Mode#BIG}: above the lane's default commit point (64 KiB). */
    static final int BIG_BYTES = 300_000;
    /** The pause of {@link Mode#STREAM} between its two events. */
    static final java.time.Duration STREAM_PAUSE = java.time.Duration.ofMillis(1500);

    /** One request as the backend read it. */
    record Seen(String method, String path, String authorization) {}

    private final String name;
    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile Mode mode = Mode.OK;

    private FaultyBackend(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    static FaultyBackend start(String name) {
        try {
            return new FaultyBackend(name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    void mode(Mode newMode) {
        this.mode = newMode;
    }

    int requestCount() {
        return count.get();
    }

    /** Connections the backend still holds open. */
    int openConnections() {
        return open.size();
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                int length = 0;
                String auth = null;
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    String lower = h.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).trim());
                    } else if (lower.startsWith("authorization:")) {
                        auth = h.substring(14).trim();
                    }
                }
                in.readNBytes(length);
                String[] parts = requestLine.split(" ");
                seen.add(new Seen(parts[0], parts[1], auth));
                count.incrementAndGet();
                switch (mode) {
                    case OK ->
                        respond(
                                out,
                                200,
                                "{\"node\":\"" + name + "\",\"path\":\"" + parts[1] + "\",\"user\":\"" + auth + "\"}");
                    case STATUS_503 -> respond(out, 503, "{\"error\":\"down\"}");
                    case HANG -> {
                        while (in.read() >= 0) {
                            // hold the connection until the client gives up
                        }
                        return;
                    }
                    case RESET -> {
                        s.setSoLinger(true, 0);
                        return;
                    }
                    case BIG -> {
                        byte[] big = new byte[BIG_BYTES];
                        for (int i = 0; i < big.length; i++) {
                            big[i] = (byte) ('a' + i % 26);
                        }
                        out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: "
                                        + big.length + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(big);
                        out.flush();
                    }
                    case STREAM -> {
                        out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                                        + "transfer-encoding: chunked\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        chunk(out, "data: 1\n\n");
                        Thread.sleep(STREAM_PAUSE.toMillis());
                        chunk(out, "data: 2\n\n");
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    case DRIP -> {
                        out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        for (int i = 0; i < 100; i++) {
                            Thread.sleep(100);
                            out.write('x');
                            out.flush();
                        }
                    }
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the client went away or the test closed the backend
        } finally {
            open.remove(s);
        }
    }

    private static void chunk(OutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void respond(OutputStream out, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Service Unavailable")
                        + "\r\ncontent-type: application/json\r\ncontent-length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
