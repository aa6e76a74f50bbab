package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.spi.EntrySource;

/**
 * Immutable, decoded query arguments as APISIX sends them: {@code ?flag} has no value, {@code ?e=} has {@code ""},
 * a repeated name gives one entry per value. Names are case-sensitive. APISIX sends them in Lua hash order, so do not
 * rely on the order between different names.
 *
 * <p>The runner's arguments are lazy, like {@link Headers}: {@link #first}, {@link #all} and {@link #contains} make
 * Strings only for the values they return; {@link #entries()} and {@code equals} make every entry once.
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

    /** Where lookups read from; null for arguments built from a list. */
    private final EntrySource source;
    /** Every entry, made from {@link #source} on first use (a benign race, as in {@link Headers}). */
    private List<Arg> entries;

    private QueryArgs(List<Arg> entries) {
        this.source = null;
        this.entries = entries;
    }

    private QueryArgs(EntrySource source) {
        this.source = source;
    }

    public static QueryArgs of(List<Arg> entries) {
        return entries.isEmpty() ? EMPTY : new QueryArgs(List.copyOf(entries));
    }

    /** Arguments read from {@code source} on demand (for runners: see {@link EntrySource}). */
    public static QueryArgs lazy(EntrySource source) {
        requireNonNull(source, "source");
        return source.size() == 0 ? EMPTY : new QueryArgs(source);
    }

    /** The first value of {@code name}; empty when absent or a flag. */
    public Optional<String> first(String name) {
        if (source != null) {
            int i = source.indexOf(name, 0, false);
            return i < 0 ? Optional.empty() : Optional.ofNullable(source.value(i));
        }
        for (Arg a : entries) {
            if (a.name.equals(name)) {
                return a.value;
            }
        }
        return Optional.empty();
    }

    public List<String> all(String name) {
        var values = new ArrayList<String>(2);
        if (source != null) {
            for (int i = source.indexOf(name, 0, false); i >= 0; i = source.indexOf(name, i + 1, false)) {
                String value = source.value(i);
                if (value != null) {
                    values.add(value);
                }
            }
            return List.copyOf(values);
        }
        for (Arg a : entries) {
            if (a.name.equals(name)) {
                a.value.ifPresent(values::add);
            }
        }
        return List.copyOf(values);
    }

    public boolean contains(String name) {
        if (source != null) {
            return source.indexOf(name, 0, false) >= 0;
        }
        for (Arg a : entries) {
            if (a.name.equals(name)) {
                return true;
            }
        }
        return false;
    }

    public List<Arg> entries() {
        List<Arg> made = entries;
        if (made == null) {
            var list = new ArrayList<Arg>(source.size());
            for (int i = 0; i < source.size(); i++) {
                list.add(new Arg(source.name(i), Optional.ofNullable(source.value(i))));
            }
            made = List.copyOf(list);
            entries = made;
        }
        return made;
    }

    public boolean isEmpty() {
        return source != null ? source.size() == 0 : entries.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryArgs other && entries().equals(other.entries());
    }

    @Override
    public int hashCode() {
        return entries().hashCode();
    }

    @Override
    public String toString() {
        return "QueryArgs" + entries().stream().map(Arg::name).toList();
    }
}
