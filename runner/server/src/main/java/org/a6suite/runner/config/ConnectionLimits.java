package org.a6suite.runner.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.a6suite.protocol.codec.Frames;

/**
 * What one APISIX peer may make the runner hold: connections, bytes of frames not yet complete, and time inside a
 * frame. APISIX itself never comes near these limits (it sends each frame in one write and keeps at most 32 idle
 * connections per worker); they bound what a misbehaving or hostile local client can cost.
 *
 * <p>Every frame reserves its announced size ({@code 4 + length}) when its header arrives and gives it back when its
 * last byte has arrived. A frame up to {@code connectionBufferBytes} is always admitted, so ordinary calls keep
 * working while large frames are refused; a larger frame (a big request or response body in an ExtraInfo answer) is
 * admitted only while the total reserved by all connections stays within {@code maxBufferedBytes}, otherwise the
 * runner answers Err SERVICE_UNAVAILABLE and closes that connection. The bytes held for incomplete frames are
 * therefore at most {@code maxBufferedBytes + maxConnections * connectionBufferBytes} (320 MiB with the defaults,
 * and only if every connection stalls inside a small frame at once).
 *
 * @param maxConnections        connections served at once; one more is closed as soon as it is accepted;
 *                              1..1000000, default 4096 (APISIX pools 32 per worker)
 * @param connectionBufferBytes the largest frame admitted without asking the global budget, header included;
 *                              4096..{@link Frames#MAX_FRAME}, default 65536
 * @param maxBufferedBytes      the global budget for frames larger than that, all connections together;
 *                              0..2^40, default 67108864 (64 MiB: four 16 MiB bodies at once)
 * @param frameTimeout          a frame still incomplete this long after it started closes its connection; idle
 *                              connections between frames are never closed for it; PT0.001S..PT1H, default 60 s
 *                              (APISIX's own send timeout: after it, APISIX has given up on the frame)
 */
public record ConnectionLimits(
        int maxConnections, int connectionBufferBytes, long maxBufferedBytes, Duration frameTimeout) {

    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final int DEFAULT_CONNECTION_BUFFER_BYTES = 64 * 1024;
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(60);

    static final int MAX_MAX_CONNECTIONS = 1_000_000;
    static final int MIN_CONNECTION_BUFFER_BYTES = 4096;
    static final long MAX_MAX_BUFFERED_BYTES = 1L << 40;
    static final Duration MAX_FRAME_TIMEOUT = Duration.ofHours(1);

    /** The defaults above. */
    public static final ConnectionLimits DEFAULT = new ConnectionLimits(
            DEFAULT_MAX_CONNECTIONS,
            DEFAULT_CONNECTION_BUFFER_BYTES,
            DEFAULT_MAX_BUFFERED_BYTES,
            DEFAULT_FRAME_TIMEOUT);

    /** @throws RunnerConfigException naming the field, the value and the range */
    public ConnectionLimits {
        requireNonNull(frameTimeout, "frameTimeout");
        if (maxConnections < 1 || maxConnections > MAX_MAX_CONNECTIONS) {
            throw new RunnerConfigException(
                    "maxConnections: " + maxConnections + " (expected: 1.." + MAX_MAX_CONNECTIONS + ")");
        }
        if (connectionBufferBytes < MIN_CONNECTION_BUFFER_BYTES || connectionBufferBytes > Frames.MAX_FRAME) {
            throw new RunnerConfigException("connectionBufferBytes: " + connectionBufferBytes + " (expected: "
                    + MIN_CONNECTION_BUFFER_BYTES + ".." + Frames.MAX_FRAME + ")");
        }
        if (maxBufferedBytes < 0 || maxBufferedBytes > MAX_MAX_BUFFERED_BYTES) {
            throw new RunnerConfigException(
                    "maxBufferedBytes: " + maxBufferedBytes + " (expected: 0.." + MAX_MAX_BUFFERED_BYTES + ")");
        }
        if (frameTimeout.compareTo(Duration.ofMillis(1)) < 0 || frameTimeout.compareTo(MAX_FRAME_TIMEOUT) > 0) {
            throw new RunnerConfigException("frameTimeout: " + frameTimeout + " (expected: PT0.001S..PT1H)");
        }
    }

    public ConnectionLimits withMaxConnections(int maxConnections) {
        return new ConnectionLimits(maxConnections, connectionBufferBytes, maxBufferedBytes, frameTimeout);
    }

    public ConnectionLimits withConnectionBufferBytes(int connectionBufferBytes) {
        return new ConnectionLimits(maxConnections, connectionBufferBytes, maxBufferedBytes, frameTimeout);
    }

    public ConnectionLimits withMaxBufferedBytes(long maxBufferedBytes) {
        return new ConnectionLimits(maxConnections, connectionBufferBytes, maxBufferedBytes, frameTimeout);
    }

    public ConnectionLimits withFrameTimeout(Duration frameTimeout) {
        return new ConnectionLimits(maxConnections, connectionBufferBytes, maxBufferedBytes, frameTimeout);
    }
}
