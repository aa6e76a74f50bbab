package org.a6suite.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * Turns a route's configuration value into a plugin's immutable config record, in four steps: read the JSON
 * (bounded), validate it against the plugin's {@link ConfigSchema} collecting every problem, fill the schema's
 * defaults, bind with Jackson. Type, range and shape checks live in the schema; cross-field invariants live in the
 * records' constructors, which throw {@link InvalidFieldException} (any {@link IllegalArgumentException} is
 * reported, prefixed with the JSON path of the record that threw).
 *
 * <p>Binding conventions, the same for every plugin: JSON fields are snake_case and map to camelCase record
 * components; every {@link Duration} is an integer number of milliseconds (fields named {@code *_ms}); enums are
 * matched by name ignoring case.
 *
 * <p>Thread-safe and reusable: build one per plugin.
 *
 * @param <T> the config record
 */
public final class ConfigBinder<T> {

    /** Deeper values are refused before any walking (an attacker's 10,000 nested arrays must not use the stack). */
    public static final int MAX_DEPTH = 128;
    /** Larger values are refused. */
    public static final long MAX_DOCUMENT_BYTES = 16L * 1024 * 1024;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxDocumentLength(MAX_DOCUMENT_BYTES)
                            .build())
                    .build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            // Where a schema accepts one value or an array of them, the record sees a list.
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .addModule(new SimpleModule("a6-config").addDeserializer(Duration.class, new MillisDeserializer()))
            .build();

    private final Class<T> type;
    private final ConfigSchema schema;
    private final String blankExpected;

    private ConfigBinder(Class<T> type, ConfigSchema schema, String blankExpected) {
        this.type = type;
        this.schema = schema;
        this.blankExpected = blankExpected;
    }

    /**
     * A binder for {@code type}, validating with {@code schemaName} from {@code type}'s class loader (so a plugin
     * loaded from a jar of its own finds its schema).
     */
    public static <T> ConfigBinder<T> of(Class<T> type, String schemaName) {
        requireNonNull(type, "type");
        return new ConfigBinder<>(type, ConfigSchema.load(schemaName, type.getClassLoader()), null);
    }

    /**
     * The same binder, refusing a blank value with {@code $: "" (expected: <expected>)} instead of reading it as
     * {@code {}} (the default: a blank value means "all defaults").
     */
    public ConfigBinder<T> blankRefused(String expected) {
        return new ConfigBinder<>(type, schema, requireNonNull(expected, "expected"));
    }

    public ConfigSchema schema() {
        return schema;
    }

    /**
     * Binds {@code value}.
     *
     * @throws PluginConfigException every schema problem in one message ({@code path: value (expected: ...)},
     *     joined by {@code "; "}), or the first failed invariant
     */
    public T bind(String value) throws PluginConfigException {
        JsonNode tree = read(value);
        List<ConfigProblem> problems = schema.validate(tree);
        if (!problems.isEmpty()) {
            throw exception(problems);
        }
        try {
            return MAPPER.treeToValue(schema.withDefaults(tree), type);
        } catch (JacksonException e) {
            throw bindingFailure(e);
        } catch (IllegalArgumentException e) {
            throw failure("$", e);
        }
    }

    /**
     * Binds {@code value}, then turns the bound record into the plugin's config with {@code finish}, which may check
     * rules spanning the whole value and throw {@link InvalidFieldException} with a path from the root.
     *
     * @throws PluginConfigException as {@link #bind(String)}, or naming the field {@code finish} refused
     */
    public <R> R bind(String value, Function<? super T, ? extends R> finish) throws PluginConfigException {
        T bound = bind(value);
        try {
            return finish.apply(bound);
        } catch (IllegalArgumentException e) {
            throw failure("$", e);
        }
    }

    /** Reads {@code value} into a tree, bounded; a blank value is {@code {}} unless refused. */
    public JsonNode read(String value) throws PluginConfigException {
        if (value == null || value.isBlank()) {
            if (blankExpected != null) {
                throw PluginConfigException.invalid("$", "\"\"", blankExpected);
            }
            return MAPPER.createObjectNode();
        }
        try {
            return MAPPER.readTree(value);
        } catch (StreamConstraintsException e) {
            throw new PluginConfigException(
                    "$",
                    "nested or sized beyond the limits (expected: a JSON object at most " + MAX_DEPTH
                            + " levels deep and " + MAX_DOCUMENT_BYTES + " bytes)");
        } catch (JacksonException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + " column "
                            + e.getLocation().getColumnNr();
            throw new PluginConfigException("$", "not valid JSON" + where + " (expected: a JSON object)");
        }
    }

    /** One exception for all problems: the first names the field, the others follow in the message. */
    public static PluginConfigException exception(List<ConfigProblem> problems) {
        ConfigProblem first = problems.getFirst();
        StringBuilder message = new StringBuilder(first.detail());
        for (ConfigProblem p : problems.subList(1, problems.size())) {
            message.append("; ").append(p);
        }
        return new PluginConfigException(first.path(), message.toString());
    }

    private static PluginConfigException bindingFailure(JacksonException e) {
        String at = path(e.getPath());
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException invalid) {
            return failure(at, invalid);
        }
        // Schema and record disagree: a bug of the plugin, reported rather than thrown as a crash.
        return new PluginConfigException(at, "cannot be bound (" + e.getOriginalMessage() + ")", e);
    }

    private static PluginConfigException failure(String at, IllegalArgumentException e) {
        if (e instanceof InvalidFieldException field) {
            ConfigProblem p = field.problem();
            return new PluginConfigException(SchemaErrors.child(at, p.path()), p.detail(), e);
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return new PluginConfigException(at, message, e);
    }

    private static String path(List<JacksonException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference r : references) {
            if (r.getPropertyName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.isEmpty() ? "$" : out.toString();
    }

    /** A duration in configuration is an integer number of milliseconds. */
    private static final class MillisDeserializer extends ValueDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.currentToken().isNumeric()) {
                return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
            }
            return Duration.ofMillis(p.getLongValue());
        }
    }
}
