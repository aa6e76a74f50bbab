package org.a6suite.emulator.internal;

/**
 * The upstream call failed. {@code timedOut} gives nginx's 504, anything else its 502. {@code requestSent} and
 * {@code responseStarted} decide whether nginx's {@code proxy_next_upstream error timeout} may try another node: never
 * once the response has started; for non-idempotent methods only when the request never reached the node.
 */
final class UpstreamException extends RuntimeException {
    final boolean timedOut;
    final boolean requestSent;
    final boolean responseStarted;

    UpstreamException(String message, boolean timedOut) {
        this(message, timedOut, true, false);
    }

    UpstreamException(String message, boolean timedOut, boolean requestSent, boolean responseStarted) {
        super(message, null, false, false);
        this.timedOut = timedOut;
        this.requestSent = requestSent;
        this.responseStarted = responseStarted;
    }
}
