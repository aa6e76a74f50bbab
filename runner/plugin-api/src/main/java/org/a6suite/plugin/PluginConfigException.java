package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

/**
 * A route's plugin configuration is invalid. The message reads {@code field: value (expected: ...)} so the operator
 * can fix the route without reading code; never put secrets in {@code value}.
 */
public class PluginConfigException extends Exception {

    private final String field;

    public PluginConfigException(String field, String message) {
        super(requireNonNull(field, "field") + ": " + requireNonNull(message, "message"));
        this.field = field;
    }

    public PluginConfigException(String field, String message, Throwable cause) {
        super(requireNonNull(field, "field") + ": " + requireNonNull(message, "message"), cause);
        this.field = field;
    }

    /** Builds {@code field: value (expected: expected)}. */
    public static PluginConfigException invalid(String field, Object value, String expected) {
        return new PluginConfigException(field, value + " (expected: " + expected + ")");
    }

    /** The JSON path of the offending field, e.g. {@code targets[1].endpoint}; {@code $} for the whole value. */
    public String field() {
        return field;
    }
}
