package org.a6suite.bench.fallback;

/**
 * One client request: when it started (ns since the scenario's start), how long until the whole answer was read,
 * the status ({@link #NO_RESPONSE} when the client got none: reset, refused or its own timeout) and the
 * {@code X-A6-Fallback} value ("" when absent).
 */
record Sample(String route, long startNanos, long latencyNanos, int status, String fallback) {

    static final int NO_RESPONSE = -1;

    boolean good() {
        return status >= 200 && status < 300;
    }

    boolean failed() {
        return !good();
    }

    boolean fromFallback() {
        return !fallback.isEmpty();
    }
}
