package org.a6suite.bench.ai;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;

/**
 * One streamed chat call on a fresh HTTP/1.1 connection, read by a raw blocking reader that timestamps the first
 * content token as its bytes come off the socket. No SDK, no SSE parser: the time between the kernel handing over the
 * bytes and the timestamp is one {@code read} and a byte scan, the same for every path measured.
 *
 * <p>A content token is recognised by the bytes {@code "tok} in the (de-chunked) body: the provider test server's
 * content deltas are {@code "content":"tok0 "}, {@code "tok1 "}...; nothing else in an OpenAI chunk stream starts a
 * JSON string with {@code tok} ({@code prompt_tokens} has an underscore before it). Counting the same bytes counts
 * the content chunks relayed.
 *
 * <pre>
 *   body (chunked):  &lt;hex size&gt;\r\n &lt;data: {...}\n\n&gt; \r\n ... 0\r\n\r\n
 * </pre>
 *
 * <p>Not a general HTTP client: no TLS, no keep-alive (the connection is closed after the answer), no 1xx.
 */
final class StreamingCall implements Closeable {

    /** What a call saw; times are {@link System#nanoTime()} values, 0 when not reached. */
    record Outcome(int status, long sentNanos, long firstTokenNanos, long endNanos, int tokens, boolean complete) {

        long ttftNanos() {
            return firstTokenNanos == 0 ? -1 : firstTokenNanos - sentNanos;
        }
    }

    private static final byte[] MARK = "\"tok".getBytes(US_ASCII);
    private static final int MAX_LINE = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int matched;

    private StreamingCall(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    /** Connects, with a read timeout of {@code readTimeoutMs} for every read. */
    static StreamingCall open(String host, int port, int readTimeoutMs) throws IOException {
        requireNonNull(host, "host");
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(readTimeoutMs);
        s.connect(new InetSocketAddress(host, port), 5_000);
        return new StreamingCall(s);
    }

    /** The bytes of a {@code POST path} with a JSON body; build once, send many times. */
    static byte[] request(String host, int port, String path, byte[] json) {
        return BlockingHttpConnection.postRequest(host, port, path, json);
    }

    /**
     * Sends the request and reads the answer to its end. {@code onFirstToken} runs on this thread right after the
     * first content token is timestamped (the heap benchmark parks streams there); it may block.
     */
    Outcome exchange(byte[] request, Runnable onFirstToken) throws IOException {
        long sent = System.nanoTime();
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("bad status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        for (int i = 0; i < 200; i++) {
            String line = readLine();
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            String name = colon <= 0 ? "" : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = colon <= 0 ? "" : line.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equals("transfer-encoding")) {
                chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            }
        }
        Counter counter = new Counter(onFirstToken);
        boolean complete;
        if (chunked) {
            complete = readChunked(counter);
        } else {
            complete = readExactly(contentLength, counter);
        }
        return new Outcome(status, sent, counter.first, System.nanoTime(), counter.tokens, complete);
    }

    /** Counts {@code "tok} across read boundaries and timestamps the first. */
    private final class Counter {
        private final Runnable onFirst;
        long first;
        int tokens;

        Counter(Runnable onFirst) {
            this.onFirst = onFirst;
        }

        void scan(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (b[i] == MARK[matched]) {
                    if (++matched == MARK.length) {
                        matched = 0;
                        if (tokens++ == 0) {
                            first = System.nanoTime();
                            onFirst.run();
                        }
                    }
                } else {
                    matched = b[i] == MARK[0] ? 1 : 0;
                }
            }
        }
    }

    private boolean readChunked(Counter counter) throws IOException {
        while (true) {
            String sizeLine;
            try {
                sizeLine = readLine();
            } catch (EOFException e) {
                return false; // closed without the last chunk: an error end (lane mid-stream failure)
            }
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                return true;
            }
            if (!readExactly(size, counter)) {
                return false;
            }
            readLine();
        }
    }

    private boolean readExactly(long length, Counter counter) throws IOException {
        long left = length < 0 ? Long.MAX_VALUE : length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                return length < 0;
            }
            counter.scan(buf, 0, n);
            left -= n;
        }
        return true;
    }

    private String readLine() throws IOException {
        return HttpLines.read(in, MAX_LINE);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
