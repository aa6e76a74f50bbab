package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

/** One header line with its name in original case. */
public record Header(String name, String value) {
    public Header {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
    }

    boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }
}
