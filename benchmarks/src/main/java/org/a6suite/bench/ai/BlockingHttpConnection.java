package org.a6suite.bench.ai;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection used by one load-driver client, blocking and allocation-light, so the driver's
 * own cost is small and the same for every path measured. Reads {@code Content-Length}, chunked and
 * read-until-close bodies; reconnects after {@code Connection: close} or an error.
 *
 * <p>Not a general HTTP client: no TLS, no redirects, no 1xx, no pipelining. Bounded: every read has a timeout.
 */
final class BlockingHttpConnection implements Closeable {

    /** What a call returned. Headers are kept only when asked for (lower-case names, first value). */
    record Response(int status, Map<String, String> headers, byte[] body) {}

    private static final int READ_TIMEOUT_MS = 30_000;
    private static final int MAX_LINE = 16 * 1024;

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    BlockingHttpConnection(String host, int port) {
        this.host = requireNonNull(host, "host");
        this.port = port;
    }

    /** The bytes of {@code POST path} with a JSON body; build once, send many times. */
    static byte[] postRequest(String host, int port, String path, byte[] json) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: application/json\r\nAuthorization: Bearer bench-client-key\r\nContent-Length: "
                + json.length + "\r\n\r\n";
        byte[] h = head.getBytes(US_ASCII);
        byte[] all = new byte[h.length + json.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(json, 0, all, h.length, json.length);
        return all;
    }

    Response send(byte[] request, boolean keepHeaders) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(request);
            out.flush();
            return readResponse(keepHeaders);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.connect(new InetSocketAddress(host, port), 5_000);
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
        out = s.getOutputStream();
    }

    private Response readResponse(boolean keepHeaders) throws IOException {
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("bad status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = keepHeaders ? new HashMap<>() : Map.of();
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        for (int i = 0; i < 200; i++) {
            String line = readLine();
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("bad header line: " + line);
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" ->
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> {}
            }
            if (keepHeaders) {
                headers.putIfAbsent(name, value);
            }
        }
        byte[] body;
        if (chunked) {
            body = readChunked();
        } else if (contentLength >= 0) {
            body = in.readNBytes((int) contentLength);
            if (body.length != contentLength) {
                throw new EOFException("body ended after " + body.length + " of " + contentLength + " bytes");
            }
        } else {
            body = in.readAllBytes();
            close = true;
        }
        if (close) {
            close();
        }
        return new Response(status, headers, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int chunks = 0; chunks < 1_000_000; chunks++) {
            String sizeLine = readLine();
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                for (int i = 0; i < 100 && !readLine().isEmpty(); i++) {
                    // trailers are skipped
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("chunk ended early");
            }
            body.write(chunk);
            readLine();
        }
        throw new IOException("too many chunks");
    }

    private String readLine() throws IOException {
        return HttpLines.read(in, MAX_LINE);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing after an error: nothing more to do
            }
            socket = null;
        }
    }
}
