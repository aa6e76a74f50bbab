package org.a6suite.optimizer.policy;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policies as JSON: a full policy is an object with every {@link Policy} field ({@code mode} in lower case); a
 * per-upstream or default override is a partial object whose fields replace the inherited ones. Unknown fields, wrong
 * types and out-of-range values are rejected with a {@link PolicyException} naming the field.
 *
 * <p>Field names are snake_case ({@code read_factor}), as every JSON of the project and APISIX's own: this class is
 * the one place that maps them to the record's components ({@code readFactor}). A camelCase name is an unknown field,
 * refused with the snake_case name to use instead, never silently accepted.
 */
public final class PolicyCodec {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final RecordComponent[] COMPONENTS = Policy.class.getRecordComponents();
    private static final String[] NAMES =
            Arrays.stream(COMPONENTS).map(c -> snake(c.getName())).toArray(String[]::new);
    private static final Constructor<Policy> CONSTRUCTOR;

    static {
        try {
            CONSTRUCTOR = Policy.class.getDeclaredConstructor(
                    Arrays.stream(COMPONENTS).map(RecordComponent::getType).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private PolicyCodec() {}

    /** Every field of a policy. */
    public static ObjectNode toJson(Policy policy) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < COMPONENTS.length; i++) {
            String name = NAMES[i];
            switch (get(COMPONENTS[i], policy)) {
                case Mode m -> node.put(name, m.name().toLowerCase(Locale.ROOT));
                case String s -> node.put(name, s);
                case Integer n -> node.put(name, n.intValue());
                case Long l -> node.put(name, l.longValue());
                case Double d -> node.put(name, d.doubleValue());
                default -> throw new IllegalStateException("unexpected policy field type " + COMPONENTS[i].getType());
            }
        }
        return node;
    }

    /**
     * {@code base} with the fields of {@code overrides} replaced.
     *
     * @param fieldPrefix prepended to field names in error messages (e.g. {@code a6.optimizer.default-policy.})
     */
    public static Policy merge(Policy base, JsonNode overrides, String fieldPrefix) {
        requireNonNull(base, "base");
        requireNonNull(fieldPrefix, "fieldPrefix");
        if (overrides == null || overrides.isNull() || overrides.isMissingNode()) {
            return base;
        }
        if (!overrides.isObject()) {
            throw new PolicyException(
                    fieldPrefix.isEmpty() ? "policy" : fieldPrefix, overrides, "a JSON object of policy fields");
        }
        Object[] args = new Object[COMPONENTS.length];
        for (int i = 0; i < COMPONENTS.length; i++) {
            args[i] = get(COMPONENTS[i], base);
        }
        for (Map.Entry<String, JsonNode> e : overrides.properties()) {
            int index = index(e.getKey());
            if (index < 0) {
                int renamed = index(snake(e.getKey()));
                throw new PolicyException(
                        fieldPrefix + e.getKey(),
                        e.getValue(),
                        renamed >= 0
                                ? "field names are snake_case: " + NAMES[renamed]
                                : "a policy field, one of " + String.join(", ", NAMES));
            }
            args[index] = convert(COMPONENTS[index], e.getValue(), fieldPrefix + e.getKey());
        }
        try {
            return CONSTRUCTOR.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof PolicyException p) {
                throw new PolicyException(fieldPrefix + snake(p.field()), valueOf(p), expectedOf(p));
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JSON name of a record component: {@code readFactor} is {@code read_factor}. */
    static String snake(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 8);
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static int index(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static Object convert(RecordComponent c, JsonNode v, String field) {
        Class<?> t = c.getType();
        if (t == Mode.class) {
            try {
                return Mode.valueOf(v.asString("").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new PolicyException(field, v, "off, recommend or auto");
            }
        }
        if (t == String.class) {
            if (!v.isString()) {
                throw new PolicyException(field, v, "a string");
            }
            return v.asString();
        }
        // Numbers may arrive as JSON numbers or, from Spring properties, as numeric strings.
        double d;
        if (v.isNumber()) {
            d = v.asDouble();
        } else if (v.isString()) {
            try {
                d = Double.parseDouble(v.asString().strip());
            } catch (NumberFormatException e) {
                throw new PolicyException(field, v, "a number");
            }
        } else {
            throw new PolicyException(field, v, "a number");
        }
        if (t == double.class) {
            return d;
        }
        if (d != Math.rint(d)) {
            throw new PolicyException(field, v, "a whole number");
        }
        return t == int.class ? (Object) (int) d : (Object) (long) d;
    }

    private static Object get(RecordComponent c, Policy p) {
        try {
            return c.getAccessor().invoke(p);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    // PolicyException's message is "field: value (expected: ...)"; re-prefixing keeps value and expectation.
    private static String valueOf(PolicyException p) {
        String m = p.getMessage();
        int start = p.field().length() + 2;
        int end = m.lastIndexOf(" (expected: ");
        return end > start ? m.substring(start, end) : "";
    }

    private static String expectedOf(PolicyException p) {
        String m = p.getMessage();
        int i = m.lastIndexOf(" (expected: ");
        return i < 0 ? "" : m.substring(i + 12, m.length() - 1);
    }
}
