package org.a6suite.bench.ai;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Reads one HTTP/1.1 head or chunk-size line (CRLF or LF) from a blocking stream, for the benchmark's clients. */
final class HttpLines {

    private HttpLines() {}

    /** The next line without its line end; fails past {@code maxLength} characters or at the end of the stream. */
    static String read(InputStream in, int maxLength) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < maxLength; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed");
            }
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        throw new IOException("line longer than " + maxLength);
    }
}
