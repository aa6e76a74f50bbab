package org.a6suite.emulator.internal;

import java.nio.charset.StandardCharsets;

/**
 * Netty keeps HTTP header values and request targets as one char per raw byte (ISO-8859-1), while A6 strings are
 * UTF-8 (transcripts README, notes: APISIX sends raw request bytes and runners decode them as UTF-8). These convert between the two.
 */
final class Wire {
    private Wire() {}

    /** Raw wire bytes (one char per byte) to the UTF-8 string a runner decodes. */
    static String toA6(String wire) {
        return new String(wire.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** A runner's UTF-8 string to raw wire bytes (one char per byte). */
    static String toWire(String a6) {
        return new String(a6.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
