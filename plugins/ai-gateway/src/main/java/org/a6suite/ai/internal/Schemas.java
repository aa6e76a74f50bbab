package org.a6suite.ai.internal;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** JSON Schema (draft 2020-12 unless the schema says otherwise) compilation and validation. */
public final class Schemas {

    private static final SchemaRegistry REGISTRY =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    /** Longest echo of a client value in an error message. */
    private static final int MAX_VALUE_CHARS = 60;

    private Schemas() {}

    /**
     * One reason an instance does not match a schema, in the project's argument-error form: {@code text: 5
     * (expected: a string)}.
     *
     * @param field the instance's field path ({@code text}, {@code items[2].name}); empty for the whole instance
     */
    public record Problem(Optional<String> field, String value, String expected) {

        @Override
        public String toString() {
            return field.map(f -> f + ": ").orElse("") + value + " (expected: " + expected + ")";
        }
    }

    /** Compiles {@code schema}; throws a runtime exception when it is not a valid schema. */
    public static Schema compile(JsonNode schema) {
        Schema compiled = REGISTRY.getSchema(schema);
        // Validating a trivial instance forces the keywords to load, so a broken schema fails at config time.
        compiled.validate(Json.MAPPER.nullNode());
        return compiled;
    }

    /** Why {@code instance} does not match, empty when it does; at most {@code limit} problems. */
    public static List<Problem> errors(Schema schema, JsonNode instance, int limit) {
        List<Error> errors = schema.validate(instance);
        return errors.stream().limit(limit).map(Schemas::problem).toList();
    }

    private static Problem problem(Error error) {
        String field = path(error.getInstanceLocation());
        Object[] args = error.getArguments() == null ? new Object[0] : error.getArguments();
        return switch (error.getKeyword()) {
            case "required" -> {
                String name = error.getProperty() != null
                        ? error.getProperty()
                        : args.length > 0 ? String.valueOf(args[0]) : "?";
                yield new Problem(Optional.of(field.isEmpty() ? name : field + "." + name), "missing", "a value");
            }
            case "type" ->
                new Problem(
                        optional(field),
                        value(error.getInstanceNode()),
                        args.length > 1 ? typeName(String.valueOf(args[1])) : error.getMessage());
            case "enum" ->
                new Problem(
                        optional(field),
                        value(error.getInstanceNode()),
                        "one of " + (error.getSchemaNode() == null ? "the listed values" : error.getSchemaNode()));
            case "const" ->
                new Problem(
                        optional(field),
                        value(error.getInstanceNode()),
                        error.getSchemaNode() == null ? "the constant value" : String.valueOf(error.getSchemaNode()));
            default -> new Problem(optional(field), value(error.getInstanceNode()), error.getMessage());
        };
    }

    /** {@code string} as "a string", {@code [string, null]} as "a string or null". */
    private static String typeName(String expected) {
        String trimmed =
                expected.replace("[", "").replace("]", "").replace("\"", "").strip();
        List<String> names = java.util.Arrays.stream(trimmed.split("\\s*,\\s*"))
                .filter(s -> !s.isEmpty())
                .map(Schemas::article)
                .toList();
        return names.isEmpty() ? expected : String.join(" or ", names);
    }

    private static String article(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "null" -> "null";
            case "integer", "object", "array" -> "an " + type;
            default -> "a " + type;
        };
    }

    /** {@code $.items[2].name} as {@code items[2].name}; the root as "". */
    private static String path(NodePath location) {
        if (location == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                out.append('[').append(index).append(']');
            } else {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(element);
            }
        }
        return out.toString();
    }

    private static Optional<String> optional(String field) {
        return field.isEmpty() ? Optional.empty() : Optional.of(field);
    }

    /** The value as JSON, shortened: the message echoes client input. */
    private static String value(JsonNode node) {
        if (node == null) {
            return "missing";
        }
        String json = node.toString();
        return json.length() > MAX_VALUE_CHARS ? json.substring(0, MAX_VALUE_CHARS) + "..." : json;
    }
}
