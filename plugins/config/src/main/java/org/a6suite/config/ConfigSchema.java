package org.a6suite.config;

import static java.util.Objects.requireNonNull;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plugin's configuration schema (JSON Schema draft 2020-12), read from the classpath with every {@code $ref}
 * resolved there too: a schema whose id starts with {@value #ID_PREFIX} lives at {@value #RESOURCE_PREFIX}{@code
 * <rest>} of the given class loader. Nothing is ever fetched from the network, so checking a route works offline and
 * a schema cannot make the runner contact a host.
 *
 * <p>Shared pieces ({@code resilience/breaker.json}, {@code resilience/retry.json}, ...) ship in the resilience
 * module's jar; a plugin's schema refers to them by relative {@code $ref}.
 */
public final class ConfigSchema {

    /** The base of every schema id of the suite. */
    public static final String ID_PREFIX = "https://a6suite.org/schemas/";
    /** Where a schema id's rest is found on the classpath. */
    public static final String RESOURCE_PREFIX = "schemas/";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /**
     * Draft 2020-12 plus the suite's two annotations: {@code x-expected} (the phrase an error shows as
     * {@code expected}) and {@code x-secret} (the value is never echoed in an error).
     */
    private static final Dialect DIALECT = Dialect.builder(Dialects.getDraft202012())
            .keyword(new AnnotationKeyword("x-expected"))
            .keyword(new AnnotationKeyword("x-secret"))
            .build();

    private final String id;
    private final ClassLoader loader;
    private final Map<String, JsonNode> documents = new ConcurrentHashMap<>();
    private final Schema schema;

    private ConfigSchema(String id, ClassLoader loader) {
        this.id = id;
        this.loader = loader;
        SchemaRegistry registry = SchemaRegistry.withDialect(
                DIALECT, builder -> builder.schemas(this::text).schemaLoader(l -> l.fetchRemoteResources(false)));
        this.schema = registry.getSchema(SchemaLocation.of(id));
        this.schema.initializeValidators();
    }

    /**
     * Loads {@code name} (e.g. {@code ai-gateway.json}) and every schema it refers to.
     *
     * @throws IllegalStateException when a schema is missing or invalid: a build error, not a route error
     */
    public static ConfigSchema load(String name, ClassLoader loader) {
        requireNonNull(name, "name");
        requireNonNull(loader, "loader");
        try {
            return new ConfigSchema(ID_PREFIX + name, loader);
        } catch (RuntimeException e) {
            throw new IllegalStateException("schema " + name + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    /** The schema's {@code $id}. */
    public String id() {
        return id;
    }

    /** The schema document as shipped (for documentation and tools). */
    public JsonNode document() {
        return document(id).orElseThrow();
    }

    /** Every problem of {@code instance}, one per JSON path, in path order; empty when it conforms. */
    public List<ConfigProblem> validate(JsonNode instance) {
        requireNonNull(instance, "instance");
        List<Error> errors = schema.validate(instance);
        return SchemaErrors.render(errors, this);
    }

    /**
     * Returns a copy of {@code instance} with the schema's {@code default}s filled in where a property is absent, in
     * nested objects and array items too. Call it on a valid instance only.
     */
    public JsonNode withDefaults(JsonNode instance) {
        JsonNode copy = instance.deepCopy();
        new SchemaDefaults(this).fill(copy, document(), URI.create(id));
        return copy;
    }

    /** A schema document by id (without fragment), if it exists. */
    Optional<JsonNode> document(String documentId) {
        String key = stripFragment(documentId);
        JsonNode cached = documents.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        String text = text(key);
        if (text == null) {
            return Optional.empty();
        }
        JsonNode parsed = JSON.readTree(text);
        documents.putIfAbsent(key, parsed);
        return Optional.of(parsed);
    }

    /** The node at {@code pointer} (a JSON pointer, without {@code #}) of document {@code documentId}. */
    Optional<JsonNode> node(String documentId, String pointer) {
        return document(documentId)
                .map(d -> pointer.isEmpty() ? d : d.at(pointer))
                .filter(n -> !n.isMissingNode());
    }

    private String text(String iri) {
        String key = stripFragment(iri);
        if (!key.startsWith(ID_PREFIX)) {
            return null;
        }
        try (InputStream in = loader.getResourceAsStream(RESOURCE_PREFIX + key.substring(ID_PREFIX.length()))) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stripFragment(String iri) {
        int hash = iri.indexOf('#');
        return hash < 0 ? iri : iri.substring(0, hash);
    }
}
