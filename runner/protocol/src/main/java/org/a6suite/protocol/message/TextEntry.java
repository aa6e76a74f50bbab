package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** A6 {@code TextEntry}: a header, argument or conf entry. An absent value means a flag (args) or delete (rewrite). */
public record TextEntry(String name, Optional<String> value) {
    public TextEntry {
        requireNonNull(name, "name");
        requireNonNull(value, "value");
    }

    public static TextEntry of(String name, String value) {
        return new TextEntry(name, Optional.of(value));
    }

    public static TextEntry absent(String name) {
        return new TextEntry(name, Optional.empty());
    }
}
