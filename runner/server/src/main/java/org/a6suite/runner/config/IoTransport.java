package org.a6suite.runner.config;

import java.util.Locale;

/**
 * Which Linux I/O interface drives the runner's event loops ({@code A6_TRANSPORT}): epoll (the default), io_uring, or
 * {@code auto}, io_uring where the kernel allows it and epoll otherwise. Both are Netty native transports; the
 * choice covers the A6 unix socket, the HTTP lane, the metrics endpoint and the plugins' outbound HTTP client. io_uring
 * that the kernel or the JVM cannot use falls back to epoll (see {@code org.a6suite.runner.transport.NativeTransport}).
 */
public enum IoTransport {
    /** io_uring when available, else epoll, without a warning either way (see NativeTransport). */
    AUTO("auto"),
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
     * Parses {@code auto}, {@code epoll} or {@code io_uring} (case-insensitive).
     *
     * @throws RunnerConfigException naming {@code variable}, the value and the expected forms
     */
    static IoTransport parse(String variable, String value) {
        for (IoTransport t : values()) {
            if (t.text.equals(value.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new RunnerConfigException(variable + ": " + value + " (expected: auto, epoll or io_uring)");
    }
}
