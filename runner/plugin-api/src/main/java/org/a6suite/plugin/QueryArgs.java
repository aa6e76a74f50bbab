package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Immutable, decoded query arguments as APISIX sends them: {@code ?flag} has no value, {@code ?e=} has {@code ""},
 * a repeated name gives one entry per value. Names are case-sensitive. APISIX sends them in Lua hash order, so do not
 * rely on the order between different names.
 */
public final class QueryArgs {

    /** One argument; {@code value} is empty for a flag such as {@code ?debug}. */
    public record Arg(String name, Optional<String> value) {
        public Arg {
            requireNonNull(name, "name");
            requireNonNull(value, "value");
        }

        public static Arg of(String name, String value) {
            return new Arg(name, Optional.of(value));
        }

        public static Arg flag(String name) {
            return new Arg(name, Optional.empty());
        }
    }

    public static final QueryArgs EMPTY = new QueryArgs(List.of());

    private final List<Arg> entries;

    private QueryArgs(List<Arg> entries) {
        this.entries = entries;
    }

    public static QueryArgs of(List<Arg> entries) {
        return entries.isEmpty() ? EMPTY : new QueryArgs(List.copyOf(entries));
    }

    /** The first value of {@code name}; empty when absent or a flag. */
    public Optional<String> first(String name) {
        for (Arg a : entries) {
            if (a.name.equals(name)) {
                return a.value;
            }
        }
        return Optional.empty();
    }

    public List<String> all(String name) {
        var values = new ArrayList<String>(2);
        for (Arg a : entries) {
            if (a.name.equals(name)) {
                a.value.ifPresent(values::add);
            }
        }
        return List.copyOf(values);
    }

    public boolean contains(String name) {
        return entries.stream().anyMatch(a -> a.name.equals(name));
    }

    public List<Arg> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryArgs other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "QueryArgs" + entries.stream().map(Arg::name).toList();
    }
}
