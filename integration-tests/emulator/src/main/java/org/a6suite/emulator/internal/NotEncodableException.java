package org.a6suite.emulator.internal;

/** Building the call failed the way APISIX's FlatBuffers encoder fails on a method outside the enum (s15). */
public final class NotEncodableException extends RuntimeException {
    public NotEncodableException(String message) {
        super(message, null, false, false);
    }
}
