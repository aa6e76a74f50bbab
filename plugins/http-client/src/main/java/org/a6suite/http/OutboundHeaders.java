package org.a6suite.http;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable HTTP header fields: names compare case-insensitively (they are stored lower-cased), a name may carry
 * several values in arrival order. {@link #toString()} lists names only, since values may be credentials.
 */
public final class OutboundHeaders {

    /** No headers. */
    public static final OutboundHeaders EMPTY = new OutboundHeaders(Map.of());

    private final Map<String, List<String>> values;

    private OutboundHeaders(Map<String, List<String>> values) {
        this.values = values;
    }

    /** Headers from name/value pairs, e.g. {@code of("content-type", "application/json", "accept", "text/plain")}. */
    public static OutboundHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("namesAndValues: " + namesAndValues.length
                    + " strings (expected: an even number, name then value)");
        }
        Builder builder = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first value of {@code name}, if any. */
    public Optional<String> firstValue(String name) {
        List<String> list = values.get(key(name));
        return list == null ? Optional.empty() : Optional.of(list.getFirst());
    }

    /** Every value of {@code name} in arrival order; empty when absent. */
    public List<String> allValues(String name) {
        return values.getOrDefault(key(name), List.of());
    }

    /** Whether {@code name} is present. */
    public boolean contains(String name) {
        return values.containsKey(key(name));
    }

    /** Lower-cased names in arrival order. */
    public Set<String> names() {
        return values.keySet();
    }

    /** Lower-cased name to values, unmodifiable. */
    public Map<String, List<String>> map() {
        return values;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutboundHeaders other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "OutboundHeaders" + values.keySet();
    }

    private static String key(String name) {
        return requireNonNull(name, "name").toLowerCase(Locale.ROOT);
    }

    /** Collects headers; {@link #add} keeps earlier values, {@link #set} replaces them. */
    public static final class Builder {
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        private Builder() {}

        public Builder add(String name, String value) {
            values.computeIfAbsent(checkName(name), k -> new ArrayList<>(1)).add(checkValue(name, value));
            return this;
        }

        public Builder set(String name, String value) {
            List<String> list = new ArrayList<>(1);
            list.add(checkValue(name, value));
            values.put(checkName(name), list);
            return this;
        }

        public Builder remove(String name) {
            values.remove(key(name));
            return this;
        }

        public Builder addAll(OutboundHeaders headers) {
            headers.values.forEach((name, list) -> list.forEach(value -> add(name, value)));
            return this;
        }

        public OutboundHeaders build() {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            values.forEach((name, list) -> copy.put(name, List.copyOf(list)));
            return copy.isEmpty() ? EMPTY : new OutboundHeaders(Collections.unmodifiableMap(copy));
        }

        private static String checkName(String name) {
            String key = key(name);
            if (key.isEmpty()) {
                throw new IllegalArgumentException("name: \"\" (expected: a header name)");
            }
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                    throw new IllegalArgumentException("name: \"" + key + "\" (expected: an RFC 9110 token)");
                }
            }
            return key;
        }

        private static String checkValue(String name, String value) {
            requireNonNull(value, "value");
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                // CR/LF would let a value smuggle a second header or request; the value itself is not echoed.
                if (c == '\r' || c == '\n' || c == 0) {
                    throw new IllegalArgumentException("value of " + key(name)
                            + ": contains CR, LF or NUL (expected: a single-line header value)");
                }
            }
            return value;
        }
    }
}
