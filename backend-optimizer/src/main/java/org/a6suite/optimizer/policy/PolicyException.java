package org.a6suite.optimizer.policy;

/** A policy field with a value outside its range; the message reads {@code field: value (expected: ...)}. */
public final class PolicyException extends IllegalArgumentException {

    private final String field;

    public PolicyException(String field, Object value, String expected) {
        super(field + ": " + value + " (expected: " + expected + ")");
        this.field = field;
    }

    /** The offending field, as named in the policy JSON. */
    public String field() {
        return field;
    }
}
