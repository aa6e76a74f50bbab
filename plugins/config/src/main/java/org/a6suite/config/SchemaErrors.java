package org.a6suite.config;

import com.networknt.schema.Error;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.path.NodePath;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Turns the validator's errors into {@link ConfigProblem}s that read like the rest of the suite's errors:
 * {@code targets[0].weight: 5000 (expected: an integer in [1, 1000])}. The expectation comes from the failing schema
 * itself: its {@code x-expected} text when it has one (for patterns and shapes a range cannot say), else a phrase
 * built from {@code type}, {@code enum} and the bounds. A schema marked {@code "x-secret": true} never has its value
 * echoed. One problem per JSON path (the first the validator reports), sorted by path.
 */
final class SchemaErrors {

    private static final int MAX_VALUE_CHARS = 80;

    private SchemaErrors() {}

    static List<ConfigProblem> render(List<Error> errors, ConfigSchema schema) {
        Map<String, ConfigProblem> byPath = new LinkedHashMap<>();
        for (Error error : errors) {
            ConfigProblem problem = render(error, schema);
            byPath.putIfAbsent(problem.path(), problem);
        }
        List<ConfigProblem> problems = new ArrayList<>(byPath.values());
        problems.sort(Comparator.comparing(ConfigProblem::path));
        return List.copyOf(problems);
    }

    private static ConfigProblem render(Error error, ConfigSchema schema) {
        String path = path(error.getInstanceLocation());
        String keyword = error.getKeyword() == null ? "" : error.getKeyword();
        Located at = locate(error.getSchemaLocation(), keyword, schema);
        SchemaDefaults refs = new SchemaDefaults(schema);
        switch (keyword) {
            case "required" -> {
                String property = property(error);
                JsonNode propertySchema = at == null ? null : propertySchema(at.node(), at.base(), property, refs);
                return new ConfigProblem(
                        child(path, property),
                        "absent",
                        propertySchema == null ? "present" : expected(propertySchema, at.base(), property, refs));
            }
            case "additionalProperties", "unevaluatedProperties" -> {
                String property = property(error);
                // The validator reports these at the object that holds the unknown property.
                String fieldPath = child(path, property);
                TreeSet<String> known = new TreeSet<>();
                if (at != null) {
                    collectNames(at.node(), at.base(), refs, known);
                }
                return new ConfigProblem(fieldPath, "unknown field", "one of " + known);
            }
            case "propertyNames" -> {
                // A bad key of a map: the path is the map's, the value the key.
                JsonNode names = at == null ? null : at.node().get("propertyNames");
                return new ConfigProblem(
                        path,
                        "\"" + property(error) + "\"",
                        names == null ? "a valid name" : expected(names, at.base(), "", refs));
            }
            default -> {
                if (at == null) {
                    return new ConfigProblem(path, describe(error.getInstanceNode()), message(error));
                }
                String value = at.node().path("x-secret").asBoolean(false)
                        ? kind(error.getInstanceNode()) + " (value not shown)"
                        : describe(error.getInstanceNode());
                return new ConfigProblem(path, value, expected(at.node(), at.base(), lastName(path), refs));
            }
        }
    }

    /** The phrase for what {@code node} accepts. */
    static String expected(JsonNode node, URI base, String field, SchemaDefaults refs) {
        if (node.has("x-expected")) {
            return node.get("x-expected").asString();
        }
        if (node.has("$ref") && !node.has("type")) {
            SchemaDefaults.Resolved target = refs.resolve(base, node.get("$ref").asString());
            return expected(target.node(), target.base(), field, refs);
        }
        if (node.has("const")) {
            return "exactly " + node.get("const");
        }
        if (node.has("enum")) {
            List<String> values = new ArrayList<>();
            node.get("enum").forEach(v -> values.add(v.isString() ? v.asString() : v.toString()));
            return "one of " + values;
        }
        String type = node.path("type").isString() ? node.path("type").asString() : "";
        return switch (type) {
            case "integer" -> range(node, field.endsWith("_ms") ? "milliseconds" : "an integer");
            case "number" -> range(node, "a number");
            case "string" -> node.path("minLength").asInt(0) > 0 ? "a non-empty string" : "a string";
            case "boolean" -> "true or false";
            case "object" -> "a JSON object";
            case "array" -> node.path("minItems").asInt(0) > 0 ? "a non-empty array" : "an array";
            default -> "a valid value";
        };
    }

    private static String range(JsonNode node, String what) {
        boolean hasLow = node.has("minimum") || node.has("exclusiveMinimum");
        boolean hasHigh = node.has("maximum") || node.has("exclusiveMaximum");
        String low = node.has("minimum") ? "[" + node.get("minimum") : "(" + node.path("exclusiveMinimum");
        String high = node.has("maximum") ? node.get("maximum") + "]" : node.path("exclusiveMaximum") + ")";
        if (hasLow && hasHigh) {
            return what + " in " + low + ", " + high;
        }
        if (hasLow) {
            return what + (node.has("minimum") ? " >= " + node.get("minimum") : " > " + node.get("exclusiveMinimum"));
        }
        if (hasHigh) {
            return what + (node.has("maximum") ? " <= " + node.get("maximum") : " < " + node.get("exclusiveMaximum"));
        }
        return what;
    }

    private static JsonNode propertySchema(JsonNode node, URI base, String property, SchemaDefaults refs) {
        if (node.path("properties").has(property)) {
            return node.get("properties").get(property);
        }
        for (JsonNode sub : node.path("allOf")) {
            JsonNode found = propertySchema(sub, base, property, refs);
            if (found != null) {
                return found;
            }
        }
        if (node.has("$ref")) {
            SchemaDefaults.Resolved target = refs.resolve(base, node.get("$ref").asString());
            return propertySchema(target.node(), target.base(), property, refs);
        }
        return null;
    }

    private static void collectNames(JsonNode node, URI base, SchemaDefaults refs, TreeSet<String> names) {
        node.path("properties").propertyNames().forEach(names::add);
        for (JsonNode sub : node.path("allOf")) {
            collectNames(sub, base, refs, names);
        }
        if (node.has("$ref")) {
            SchemaDefaults.Resolved target = refs.resolve(base, node.get("$ref").asString());
            collectNames(target.node(), target.base(), refs, names);
        }
    }

    private record Located(JsonNode node, URI base) {}

    /** The schema object holding the failing keyword. */
    private static Located locate(SchemaLocation location, String keyword, ConfigSchema schema) {
        if (location == null || location.getAbsoluteIri() == null) {
            return null;
        }
        String document = location.getAbsoluteIri().toString();
        NodePath fragment = location.getFragment();
        List<String> names = new ArrayList<>();
        for (int i = 0; fragment != null && i < fragment.getNameCount(); i++) {
            names.add(String.valueOf(fragment.getElement(i)));
        }
        if (!names.isEmpty() && names.getLast().equals(keyword)) {
            names.removeLast();
        }
        StringBuilder pointer = new StringBuilder();
        for (String name : names) {
            pointer.append('/').append(name.replace("~", "~0").replace("/", "~1"));
        }
        return schema.node(document, pointer.toString())
                .map(n -> new Located(n, URI.create(document)))
                .orElse(null);
    }

    private static String property(Error error) {
        if (error.getProperty() != null) {
            return error.getProperty();
        }
        Object[] arguments = error.getArguments();
        return arguments != null && arguments.length > 0 ? String.valueOf(arguments[0]) : "?";
    }

    private static String message(Error error) {
        String message = error.getMessage() == null ? "a valid value" : error.getMessage();
        int colon = message.indexOf(": ");
        return colon >= 0 && message.startsWith("$") ? message.substring(colon + 2) : message;
    }

    /** {@code targets[0].id} from the validator's instance location; {@code $} for the root. */
    static String path(NodePath location) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; location != null && i < location.getNameCount(); i++) {
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
        return out.isEmpty() ? "$" : out.toString();
    }

    static String child(String path, String name) {
        return path.equals("$") ? name : path + "." + name;
    }

    private static String lastName(String path) {
        int dot = path.lastIndexOf('.');
        String last = dot < 0 ? path : path.substring(dot + 1);
        int bracket = last.indexOf('[');
        return bracket < 0 ? last : last.substring(0, bracket);
    }

    /** How a value reads in an error: JSON text for scalars (bounded), a phrase for containers. */
    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "absent";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array of " + node.size();
        }
        String text = node.toString();
        return text.length() > MAX_VALUE_CHARS ? text.substring(0, MAX_VALUE_CHARS) + "..." : text;
    }

    private static String kind(JsonNode node) {
        if (node == null) {
            return "absent";
        }
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> "a value";
        };
    }
}
