package org.a6suite.ai.internal;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** JSON Schema (draft 2020-12 unless the schema says otherwise) compilation and validation. */
public final class Schemas {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private Schemas() {
    }

    /** Compiles {@code schema}; throws a runtime exception when it is not a valid schema. */
    public static Schema compile(JsonNode schema) {
        Schema compiled = REGISTRY.getSchema(schema);
        // Validating a trivial instance forces the keywords to load, so a broken schema fails at config time.
        compiled.validate(Json.MAPPER.nullNode());
        return compiled;
    }

    /** Validation messages for {@code instance}, empty when valid; at most {@code limit}. */
    public static List<String> errors(Schema schema, JsonNode instance, int limit) {
        List<Error> errors = schema.validate(instance);
        return errors.stream().limit(limit).map(Error::getMessage).toList();
    }
}
