package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Flow;

/**
 * A plugin's answer to a call on the runner's HTTP lane ({@link Plugin#onLane}): either one whole body, or a head
 * followed by a stream of body chunks.
 *
 * <p>The lane writes the status and headers when the plugin's stage completes, so a plugin that must be able to
 * change its mind (fall back to another provider, answer an error instead) completes the stage only once it is
 * committed, for example when the first chunk of content is in hand. After that point the status is sent and the
 * only honest way to report a failure is inside the body (an error event) or by {@link Flow.Subscriber#onError
 * failing the stream}, which makes the lane abort the connection without the final chunk, so neither nginx nor the
 * client can take the truncated body for a complete one.
 */
public sealed interface LaneResponse {

    /** The status, 100..599 (1xx other than 101 are not sent as final answers; use 200..599). */
    int status();

    /** Response headers; hop-by-hop headers ({@code connection}, {@code transfer-encoding}, ...) are ignored. */
    Headers headers();

    /** A whole answer, sent with {@code content-length}. */
    static Whole whole(int status, Headers headers, Body body) {
        return new Whole(status, headers, body);
    }

    /** A streamed answer, sent chunked with {@code x-accel-buffering: no} so nginx relays each chunk at once. */
    static Streamed streamed(int status, Headers headers, Flow.Publisher<Body> body) {
        return new Streamed(status, headers, body);
    }

    /** A whole answer. */
    record Whole(int status, Headers headers, Body body) implements LaneResponse {
        public Whole {
            checkStatus(status);
            requireNonNull(headers, "headers");
            requireNonNull(body, "body");
        }
    }

    /**
     * A streamed answer. The lane subscribes once, asks for more chunks only as fast as the client reads them
     * (backpressure: a few chunks ahead at most), cancels the subscription when the client goes away (the plugin must
     * then stop the work that feeds the stream), ends the response on {@code onComplete} and aborts it on
     * {@code onError}. Signals may come from any thread, one at a time (Reactive Streams rule 1.3); each
     * {@link Body} becomes one HTTP chunk, flushed at once.
     */
    record Streamed(int status, Headers headers, Flow.Publisher<Body> body) implements LaneResponse {
        public Streamed {
            checkStatus(status);
            requireNonNull(headers, "headers");
            requireNonNull(body, "body");
        }
    }

    private static void checkStatus(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 200..599)");
        }
    }
}
