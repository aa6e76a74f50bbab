package org.a6suite.emulator.internal;

/** The upstream call failed: {@code timedOut} gives nginx's 504, anything else its 502. */
final class UpstreamException extends RuntimeException {
    final boolean timedOut;

    UpstreamException(String message, boolean timedOut) {
        super(message, null, false, false);
        this.timedOut = timedOut;
    }
}
