package org.a6suite.config;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a plugin's configuration value, in the project's error form
 * {@code path: value (expected: ...)}.
 *
 * @param path     the JSON path of the field, e.g. {@code targets[1].endpoint}; {@code $} for the whole value
 * @param value    how the bad value reads: its JSON text (at most 80 characters), {@code absent}, {@code unknown field},
 *                 {@code an object}, {@code an array of 3}; never a secret
 * @param expected what would have been accepted
 */
public record ConfigProblem(String path, String value, String expected) {

    public ConfigProblem {
        requireNonNull(path, "path");
        requireNonNull(value, "value");
        requireNonNull(expected, "expected");
    }

    /** The problem without its path: {@code value (expected: ...)}. */
    public String detail() {
        return value + " (expected: " + expected + ")";
    }

    @Override
    public String toString() {
        return path + ": " + detail();
    }
}
