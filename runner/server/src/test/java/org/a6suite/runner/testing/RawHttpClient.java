package org.a6suite.runner.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A blocking HTTP/1.1 client on a plain socket that reads a response piece by piece (head, then one chunk at a
 * time), so tests can see exactly when each chunk arrives and whether a chunked body was terminated. Every read is
 * bounded by the socket timeout.
 */
public final class RawHttpClient implements AutoCloseable {

    /** A response head. */
    public record Head(int status, Map<String, String> headers) {
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawHttpClient connect(InetSocketAddress address) {
        return connect(address, 0);
    }

    /** @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system default */
    public static RawHttpClient connect(InetSocketAddress address, int receiveBuffer) {
        try {
            Socket socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setSoTimeout(10_000);
            socket.connect(address, 5_000);
            return new RawHttpClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a request; {@code headers} as name, value pairs; adds host and content-length. */
    public void send(String method, String target, byte[] body, String... headers) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n").append("host: lane\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        sb.append("content-length: ").append(body.length).append("\r\n\r\n");
        try {
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void get(String target, String... headers) {
        send("GET", target, new byte[0], headers);
    }

    public Head readHead() {
        String status = line();
        if (status == null) {
            throw new AssertionError("connection closed before a response");
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.merge(
                    l.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    l.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        return new Head(code, headers);
    }

    /** Reads a content-length body. */
    public String readBody(Head head) {
        int length = Integer.parseInt(head.header("content-length").orElseThrow());
        return new String(bytes(length), StandardCharsets.UTF_8);
    }

    /**
     * The next chunk of a chunked body: its data, "" for the terminating chunk, or empty when the connection ended
     * without one (a truncated body).
     */
    public Optional<String> readChunk() {
        String size = line();
        if (size == null) {
            return Optional.empty();
        }
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
            line();
            return Optional.of("");
        }
        byte[] data = bytes(n);
        if (data == null) {
            return Optional.empty();
        }
        line();
        return Optional.of(new String(data, StandardCharsets.UTF_8));
    }

    /**
     * Whether the server closed the connection (the next read sees end of stream or a reset); false when nothing
     * arrives within the socket timeout.
     */
    public boolean atEof() {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b == '\n') {
                    String s = buf.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                buf.write(b);
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private byte[] bytes(int n) {
        try {
            byte[] data = in.readNBytes(n);
            return data.length == n ? data : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
