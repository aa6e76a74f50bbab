package org.a6suite.mcp.internal;

import com.networknt.schema.Error;
import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compiles tool schemas (JSON Schema 2020-12, MCP's default dialect) and validates instances. Remote {@code $ref}s
 * are never fetched: a schema from configuration must not make the gateway contact hosts nobody allow-listed.
 */
public final class JsonSchemas {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));

    /** Bounds the text returned to a client. */
    private static final int MAX_REPORTED_ERRORS = 5;

    private JsonSchemas() {}

    public static Schema compile(JsonNode schema) {
        return REGISTRY.getSchema(schema);
    }

    /** Keywords whose value is one schema. */
    private static final Set<String> SCHEMA_KEYWORDS = Set.of(
            "items",
            "additionalProperties",
            "not",
            "additionalItems",
            "contains",
            "propertyNames",
            "if",
            "then",
            "else",
            "unevaluatedProperties",
            "unevaluatedItems");
    /** Keywords whose value is an array of schemas. */
    private static final Set<String> SCHEMA_ARRAY_KEYWORDS = Set.of("allOf", "anyOf", "oneOf", "prefixItems");
    /** Keywords whose value maps names to schemas. */
    private static final Set<String> SCHEMA_MAP_KEYWORDS =
            Set.of("properties", "patternProperties", "$defs", "definitions", "dependentSchemas");

    /**
     * Translates an OpenAPI 3.0 Schema Object (a JSON Schema draft-4 dialect) into JSON Schema 2020-12, so it means
     * what its author meant when the gateway validates with 2020-12:
     *
     * <ul>
     *   <li>{@code nullable: true} admits {@code null}: {@code "type": "string"} becomes
     *       {@code ["string", "null"]}, an {@code enum} gains {@code null}, a schema without {@code type} (e.g. only
     *       {@code allOf}) becomes {@code anyOf: [<it>, {"type": "null"}]}. Read as 2020-12, {@code nullable} is an
     *       unknown keyword and {@code null} would be refused;
     *   <li>boolean {@code exclusiveMinimum}/{@code exclusiveMaximum} with {@code minimum}/{@code maximum} become the
     *       numeric 2020-12 forms ({@code false} is dropped);
     *   <li>{@code example} becomes {@code examples: [<it>]}.
     * </ul>
     *
     * Returns a copy; {@code schema} is not changed. OpenAPI 3.1 schemas are 2020-12 already and need none of this.
     */
    public static JsonNode fromOpenApi30(JsonNode schema) {
        if (schema.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            schema.forEach(e -> out.add(fromOpenApi30(e)));
            return out;
        }
        if (!schema.isObject()) {
            return schema;
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (var e : schema.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (SCHEMA_KEYWORDS.contains(key) || SCHEMA_ARRAY_KEYWORDS.contains(key)) {
                out.set(key, fromOpenApi30(value));
            } else if (SCHEMA_MAP_KEYWORDS.contains(key) && value.isObject()) {
                ObjectNode map = out.putObject(key);
                value.properties().forEach(p -> map.set(p.getKey(), fromOpenApi30(p.getValue())));
            } else if (!key.equals("nullable") && !key.equals("example")) {
                out.set(key, value.deepCopy());
            }
        }
        if (schema.has("example") && !schema.has("examples")) {
            out.putArray("examples").add(schema.get("example").deepCopy());
        }
        exclusiveBound(out, "exclusiveMinimum", "minimum");
        exclusiveBound(out, "exclusiveMaximum", "maximum");
        if (!schema.path("nullable").asBoolean(false)) {
            return out;
        }
        JsonNode type = out.path("type");
        if (type.isString()) {
            out.putArray("type").add(type.stringValue()).add("null");
        } else if (type.isArray()) {
            if (((ArrayNode) type).valueStream().noneMatch(t -> t.asString("").equals("null"))) {
                ((ArrayNode) type).add("null");
            }
        } else {
            ObjectNode wrapped = JsonNodeFactory.instance.objectNode();
            wrapped.putArray("anyOf").add(out).addObject().put("type", "null");
            return wrapped;
        }
        if (out.path("enum").isArray()) {
            ((ArrayNode) out.get("enum")).addNull();
        }
        return out;
    }

    /** OpenAPI 3.0's {@code exclusiveMinimum: true} + {@code minimum: n} is 2020-12's {@code exclusiveMinimum: n}. */
    private static void exclusiveBound(ObjectNode schema, String exclusive, String bound) {
        JsonNode flag = schema.path(exclusive);
        if (!flag.isBoolean()) {
            return;
        }
        schema.remove(exclusive);
        if (flag.booleanValue() && schema.path(bound).isNumber()) {
            schema.set(exclusive, schema.remove(bound));
        }
    }

    /**
     * What {@code Schema.validate(JsonNode)} rebuilds twice on every call (an execution config from the registry's
     * locale, format-assertion and fail-fast settings, then a copy with annotation collection off, as its default
     * output format asks), built once: an immutable value, the same for every schema of {@link #REGISTRY}.
     */
    private static final ExecutionConfig EXECUTION = ExecutionConfig.builder()
            .locale(REGISTRY.getSchemaRegistryConfig().getLocale())
            .formatAssertionsEnabled(REGISTRY.getSchemaRegistryConfig().getFormatAssertionsEnabled())
            .failFast(REGISTRY.getSchemaRegistryConfig().isFailFast())
            .annotationCollectionEnabled(false)
            .build();

    /** Returns human-readable violations, at most a few, empty when {@code instance} conforms. */
    public static List<String> violations(Schema schema, JsonNode instance) {
        List<Error> errors = errors(schema, instance);
        if (errors.isEmpty()) {
            return List.of();
        }
        // The location names the field ("/note: null found, string expected"); the message alone does not.
        return errors.stream()
                .limit(MAX_REPORTED_ERRORS)
                .map(e -> {
                    String at = String.valueOf(e.getInstanceLocation());
                    return at.isEmpty() || at.equals("$") || at.equals("/")
                            ? e.getMessage()
                            : at + ": " + e.getMessage();
                })
                .toList();
    }

    /**
     * The same evaluation as {@code schema.validate(instance)}, with the execution config built once: for a schema
     * compiled here (no fail-fast, no execution customizer), the steps that method adds around
     * {@code validate(ExecutionContext, JsonNode)} only rebuild that config. Other schemas take the library's path.
     */
    private static List<Error> errors(Schema schema, JsonNode instance) {
        SchemaRegistryConfig config = schema.getSchemaContext().getSchemaRegistryConfig();
        if (config != REGISTRY.getSchemaRegistryConfig()
                || config.isFailFast()
                || config.getExecutionContextCustomizer() != null) {
            return schema.validate(instance);
        }
        ExecutionContext context = new ExecutionContext(EXECUTION);
        schema.validate(context, instance);
        if (context.isEvaluationAborted()) {
            // What the library's own path throws when the evaluation exceeded its step or depth limit.
            throw context.getEvaluationAbort();
        }
        return context.getErrors();
    }
}
