package org.a6suite.config;

import static java.util.Objects.requireNonNull;

/**
 * Thrown by a configuration record's constructor when a cross-field invariant fails. {@code field} is relative to the
 * record being built ({@code attempt_ceiling_ms}, or {@code targets[0].type} from the root record);
 * {@link ConfigBinder} prefixes the JSON path of the record, so the operator reads the full path.
 */
public final class InvalidFieldException extends IllegalArgumentException {

    private final ConfigProblem problem;

    public InvalidFieldException(String field, Object value, String expected) {
        super(requireNonNull(field, "field") + ": " + value + " (expected: " + requireNonNull(expected, "expected")
                + ")");
        this.problem = new ConfigProblem(field, String.valueOf(value), expected);
    }

    /** The problem, its path relative to the record that threw. */
    public ConfigProblem problem() {
        return problem;
    }

    /** A JSON string value as it appears in errors: quoted. */
    public static String quote(String s) {
        return "\"" + s + "\"";
    }
}
