package org.a6suite.mcp.internal;

import java.util.List;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;

/**
 * Compiles tool schemas (JSON Schema 2020-12, MCP's default dialect) and validates instances. Remote {@code $ref}s
 * are never fetched: a schema from configuration must not make the gateway contact hosts nobody allow-listed.
 */
public final class JsonSchemas {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));

    /** Bounds the text returned to a client. */
    private static final int MAX_REPORTED_ERRORS = 5;

    private JsonSchemas() {
    }

    public static Schema compile(JsonNode schema) {
        return REGISTRY.getSchema(schema);
    }

    /** Returns human-readable violations, at most a few, empty when {@code instance} conforms. */
    public static List<String> violations(Schema schema, JsonNode instance) {
        List<Error> errors = schema.validate(instance);
        return errors.stream().limit(MAX_REPORTED_ERRORS).map(Error::getMessage).toList();
    }
}
