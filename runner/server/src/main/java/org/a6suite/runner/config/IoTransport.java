package org.a6suite.runner.config;

import java.util.Locale;

/**
 * Which Linux I/O interface drives the runner's event loops ({@code A6_TRANSPORT}): epoll (the default) or io_uring.
 * Both are Netty native transports; the choice covers the A6 unix socket, the HTTP lane and the metrics endpoint.
 * When io_uring is asked for but the kernel or the JVM cannot use it, the runner falls back to epoll (see {@code
 * org.a6suite.runner.transport.NativeTransport}).
 */
public enum IoTransport {
    EPOLL("epoll"),
    IO_URING("io_uring");

    private final String text;

    IoTransport(String text) {
        this.text = text;
    }

    /** The value {@code A6_TRANSPORT} takes for this transport. */
    public String text() {
        return text;
    }

    /**
     * Parses {@code epoll} or {@code io_uring} (case-insensitive).
     *
     * @throws RunnerConfigException naming {@code variable}, the value and the expected forms
     */
    static IoTransport parse(String variable, String value) {
        for (IoTransport t : values()) {
            if (t.text.equals(value.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new RunnerConfigException(variable + ": " + value + " (expected: epoll or io_uring)");
    }
}
