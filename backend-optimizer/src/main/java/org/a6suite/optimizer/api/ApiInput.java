package org.a6suite.optimizer.api;

import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Checks the small JSON bodies of the action endpoints ({@code rollback}, {@code pause}): a body is absent or an object,
 * holds only the named field, and that field has the documented type. A wrong-typed field is a 400 naming it, never a
 * write with a default in its place.
 */
final class ApiInput {

    private static final int MAX_ECHO = 60;

    private ApiInput() {}

    /**
     * The string value of {@code field} in {@code body}, empty when the body or the field is absent or null.
     *
     * @throws IllegalArgumentException {@code field: value (expected: ...)} for a wrong type, a non-object body or an
     *                                  unknown field
     */
    static Optional<String> optionalString(JsonNode body, String field, String expected, String... allowed) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return Optional.empty();
        }
        if (!body.isObject()) {
            throw new IllegalArgumentException("body: " + quote(body.toString())
                    + " (expected: a JSON object with an optional \"" + field + "\")");
        }
        Set<String> names = Set.of(allowed);
        for (Iterator<String> it = body.propertyNames().iterator(); it.hasNext(); ) {
            String name = it.next();
            if (!names.contains(name)) {
                throw new IllegalArgumentException(name + ": unknown field (expected: only " + names + ")");
            }
        }
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isString()) {
            throw new IllegalArgumentException(
                    field + ": " + quote(value.toString()) + " (expected: a string, " + expected + ")");
        }
        return Optional.of(value.asString());
    }

    /** Echoes client input into a message: control characters dropped, length capped. */
    static String quote(String text) {
        String cleaned = text.replaceAll("\\p{Cntrl}", "");
        return cleaned.length() > MAX_ECHO ? cleaned.substring(0, MAX_ECHO) + "..." : cleaned;
    }
}
