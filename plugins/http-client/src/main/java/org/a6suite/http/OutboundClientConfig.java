package org.a6suite.http;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import javax.net.ssl.X509TrustManager;

/**
 * Immutable settings of an {@link OutboundClient}, checked once by {@link Builder#build()}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@code connectTimeout}</td><td>10 s</td><td>TCP connect plus TLS handshake; also the longest wait
 *       for a free connection when the origin is at {@code maxConnectionsPerOrigin}</td></tr>
 *   <tr><td>{@code poolIdleTimeout}</td><td>4 s</td><td>below Node.js's default server keep-alive of 5 s, so the
 *       client retires an idle connection before the common server does; {@code 0} disables pooling</td></tr>
 *   <tr><td>{@code maxConnectionsPerOrigin}</td><td>64</td><td>per (scheme, host, port)</td></tr>
 *   <tr><td>{@code maxResponseHeadBytes}</td><td>65,536</td><td>status line, and all header lines together</td></tr>
 *   <tr><td>{@code eventLoopThreads}</td><td>1</td><td>a plugin's outbound calls are I/O bound</td></tr>
 *   <tr><td>{@code trustManager}</td><td>the JDK's default trust store</td><td>tests supply their own</td></tr>
 *   <tr><td>{@code ticker}</td><td>{@link System#nanoTime()}</td><td>measures pool idleness; tests move it</td></tr>
 * </table>
 */
public final class OutboundClientConfig {

    /** Every setting at its default. */
    public static final OutboundClientConfig DEFAULT = builder().build();

    private final Duration connectTimeout;
    private final Duration poolIdleTimeout;
    private final int maxConnectionsPerOrigin;
    private final int maxResponseHeadBytes;
    private final int eventLoopThreads;
    private final Optional<X509TrustManager> trustManager;
    private final LongSupplier ticker;

    private OutboundClientConfig(Builder b) {
        this.connectTimeout = b.connectTimeout;
        this.poolIdleTimeout = b.poolIdleTimeout;
        this.maxConnectionsPerOrigin = b.maxConnectionsPerOrigin;
        this.maxResponseHeadBytes = b.maxResponseHeadBytes;
        this.eventLoopThreads = b.eventLoopThreads;
        this.trustManager = b.trustManager;
        this.ticker = b.ticker;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration poolIdleTimeout() {
        return poolIdleTimeout;
    }

    public int maxConnectionsPerOrigin() {
        return maxConnectionsPerOrigin;
    }

    public int maxResponseHeadBytes() {
        return maxResponseHeadBytes;
    }

    public int eventLoopThreads() {
        return eventLoopThreads;
    }

    /** The trust manager for https origins; empty means the JDK's default trust store. */
    public Optional<X509TrustManager> trustManager() {
        return trustManager;
    }

    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    public LongSupplier ticker() {
        return ticker;
    }

    /** Builds an {@link OutboundClientConfig}; each setter checks its own argument, {@link #build()} the rest. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration poolIdleTimeout = Duration.ofSeconds(4);
        private int maxConnectionsPerOrigin = 64;
        private int maxResponseHeadBytes = 64 * 1024;
        private int eventLoopThreads = 1;
        private Optional<X509TrustManager> trustManager = Optional.empty();
        private LongSupplier ticker = System::nanoTime;

        private Builder() {}

        /** TCP connect plus TLS handshake, 1 ms to 24 days. Default 10 s. */
        public Builder connectTimeout(Duration value) {
            requireNonNull(value, "connectTimeout");
            if (value.toMillis() < 1 || value.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("connectTimeout: " + value + " (expected: 1 ms to 24 days)");
            }
            this.connectTimeout = value;
            return this;
        }

        /**
         * How long an unused connection stays pooled. Keep it below the shortest keep-alive of the servers called
         * (Node.js: 5 s); {@code Duration.ZERO} closes every connection after its exchange. Default 4 s.
         */
        public Builder poolIdleTimeout(Duration value) {
            requireNonNull(value, "poolIdleTimeout");
            if (value.isNegative()) {
                throw new IllegalArgumentException("poolIdleTimeout: " + value + " (expected: >= 0)");
            }
            this.poolIdleTimeout = value;
            return this;
        }

        /** Open connections per (scheme, host, port), 1 to 10,000. Default 64. */
        public Builder maxConnectionsPerOrigin(int value) {
            if (value < 1 || value > 10_000) {
                throw new IllegalArgumentException("maxConnectionsPerOrigin: " + value + " (expected: 1 to 10000)");
            }
            this.maxConnectionsPerOrigin = value;
            return this;
        }

        /** Longest status line, and longest header block, in bytes: 1 KiB to 1 MiB. Default 64 KiB. */
        public Builder maxResponseHeadBytes(int value) {
            if (value < 1024 || value > 1024 * 1024) {
                throw new IllegalArgumentException("maxResponseHeadBytes: " + value + " (expected: 1024 to 1048576)");
            }
            this.maxResponseHeadBytes = value;
            return this;
        }

        /** Threads of the client's own event loop, 1 to 64; unused when the caller supplies a loop. Default 1. */
        public Builder eventLoopThreads(int value) {
            if (value < 1 || value > 64) {
                throw new IllegalArgumentException("eventLoopThreads: " + value + " (expected: 1 to 64)");
            }
            this.eventLoopThreads = value;
            return this;
        }

        /** Trusts what {@code value} trusts instead of the JDK's default trust store (tests, private CAs). */
        public Builder trustManager(X509TrustManager value) {
            this.trustManager = Optional.of(requireNonNull(value, "trustManager"));
            return this;
        }

        /** Monotonic nanosecond source for pool idleness. Default {@link System#nanoTime()}. */
        public Builder ticker(LongSupplier value) {
            this.ticker = requireNonNull(value, "ticker");
            return this;
        }

        public OutboundClientConfig build() {
            return new OutboundClientConfig(this);
        }
    }
}
