package org.a6suite.protocol.message;

/** Range checks for the protocol's unsigned 32-bit fields, which Java holds in a long. */
final class U32 {
    static final long MAX = 0xFFFF_FFFFL;

    private U32() {}

    static void check(String name, long value) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0.." + MAX + ")");
        }
    }

    static void checkU16(String name, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0..65535)");
        }
    }
}
