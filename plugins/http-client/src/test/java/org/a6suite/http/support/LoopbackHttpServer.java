package org.a6suite.http.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * A blocking HTTP/1.1 server on loopback, one virtual thread per connection, for tests that need exact control of
 * the wire: when to answer, when to close, when to reset. Keeps a connection open for {@code keepAlive} between
 * requests, then closes it the way Node.js does (a FIN from an idle connection).
 */
public final class LoopbackHttpServer implements AutoCloseable {

    /** What the server does with one request; it may answer, stream, close or reset through {@code conn}. */
    @FunctionalInterface
    public interface Responder {
        void respond(Request request, Conn conn) throws Exception;
    }

    /** A parsed request; header names lower-cased. */
    public record Request(
            String method,
            String target,
            Map<String, String> headers,
            byte[] body,
            int connection,
            int indexOnConnection) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final Duration keepAlive;
    private final Responder responder;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final List<Conn> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private LoopbackHttpServer(ServerSocketFactory factory, Duration keepAlive, Responder responder)
            throws IOException {
        this.server = factory.createServerSocket(0, 512, InetAddress.getLoopbackAddress());
        this.keepAlive = keepAlive;
        this.responder = responder;
        this.acceptor = Thread.ofVirtual().name("loopback-accept").start(this::acceptLoop);
    }

    public static LoopbackHttpServer start(Duration keepAlive, Responder responder) throws IOException {
        return new LoopbackHttpServer(ServerSocketFactory.getDefault(), keepAlive, responder);
    }

    public static LoopbackHttpServer start(ServerSocketFactory factory, Duration keepAlive, Responder responder)
            throws IOException {
        return new LoopbackHttpServer(factory, keepAlive, responder);
    }

    public int port() {
        return server.getLocalPort();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public URI httpsUri(String host, String path) {
        return URI.create("https://" + host + ":" + port() + path);
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Requests read so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                int index = connections.incrementAndGet();
                Conn conn = new Conn(socket, index);
                open.add(conn);
                Thread.ofVirtual().name("loopback-conn-" + index).start(() -> serve(conn));
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void serve(Conn conn) {
        try (conn) {
            int n = 0;
            while (!conn.isClosed()) {
                conn.socket.setSoTimeout((int) keepAlive.toMillis());
                Request request;
                try {
                    request = conn.readRequest(++n);
                } catch (SocketTimeoutException idle) {
                    return; // keep-alive over: close, sending a FIN
                }
                if (request == null) {
                    return;
                }
                conn.socket.setSoTimeout(0);
                requests.add(request);
                responder.respond(request, conn);
            }
        } catch (Exception e) {
            // the client went away or the responder reset the connection: nothing to do
        } finally {
            open.remove(conn);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Conn c : open) {
            c.close();
        }
    }

    /** One accepted connection. */
    public static final class Conn implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final int index;
        private volatile boolean closed;

        Conn(Socket socket, int index) throws IOException {
            this.socket = socket;
            socket.setTcpNoDelay(true); // each write is a packet: timing tests see what the server sent when
            this.in = new java.io.BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.index = index;
        }

        public Socket socket() {
            return socket;
        }

        public InputStream in() {
            return in;
        }

        public boolean isClosed() {
            return closed;
        }

        /** A whole response with a Content-Length body. */
        public void respond(int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            response.writeBytes(("HTTP/1.1 " + status + " X\r\ncontent-type: text/plain\r\ncontent-length: "
                            + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            response.writeBytes(bytes);
            write(response.toByteArray());
        }

        /** Raw bytes, flushed. */
        public void write(String text) throws IOException {
            write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        public void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** A chunked-encoding head. */
        public void startChunked(int status) throws IOException {
            write("HTTP/1.1 " + status + " X\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n");
        }

        public void chunk(byte[] data) throws IOException {
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(data.length + 16);
            chunk.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunk.writeBytes(data);
            chunk.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            write(chunk.toByteArray());
        }

        public void chunk(String data) throws IOException {
            chunk(data.getBytes(StandardCharsets.UTF_8));
        }

        public void endChunked() throws IOException {
            write("0\r\n\r\n");
        }

        /** Closes with an RST instead of a FIN (linger 0). */
        public void reset() throws IOException {
            socket.setSoLinger(true, 0);
            close();
        }

        /** Blocks until the client closes the connection (read returns EOF or fails). */
        public void awaitClientClose() {
            try {
                socket.setSoTimeout(0);
                while (in.read() >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // reset counts as closed
            }
        }

        @Override
        public void close() throws IOException {
            closed = true;
            socket.close();
        }

        Request readRequest(int n) throws IOException {
            String line = readLine();
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            String header;
            while ((header = readLine()) != null && !header.isEmpty()) {
                int colon = header.indexOf(':');
                headers.merge(
                        header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            if (header == null) {
                throw new EOFException("request head cut short");
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("request body cut short");
            }
            return new Request(parts[0], parts[1], headers, body, index, n);
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
            if (line.size() == 0) {
                return null;
            }
            throw new EOFException("line cut short");
        }
    }

    /** An address nothing listens on. */
    public static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }
}
