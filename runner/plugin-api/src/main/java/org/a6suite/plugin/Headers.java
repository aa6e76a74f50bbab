package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.a6suite.plugin.spi.EntrySource;

/**
 * Immutable HTTP headers: multi-valued, looked up case-insensitively, iterated in the order and case received.
 * Request headers from APISIX arrive lower-cased, at most 100 entries, one entry per value; response headers
 * (HTTPRespCall) keep the upstream's case.
 *
 * <p>The runner's headers are lazy: {@link #first}, {@link #all} and {@link #contains} compare the asked name with
 * the received bytes and make a {@code String} only for the values they return; {@link #entries()}, iteration,
 * {@link #with}, {@link #plus}, {@link #without} and {@code equals} make every entry once, on first use.
 */
public final class Headers implements Iterable<Headers.Header> {

    /** One header line. */
    public record Header(String name, String value) {
        public Header {
            requireNonNull(name, "name");
            requireNonNull(value, "value");
        }
    }

    public static final Headers EMPTY = new Headers(List.of());

    /** Where lookups read from before {@link #entries} is made; null for headers built from a list. */
    private final EntrySource source;
    /**
     * Every entry; made from {@link #source} on first use. A racing first use makes two equal immutable lists, and a
     * reader sees either null or a whole list (final fields), so no lock is needed.
     */
    private List<Header> entries;

    private Headers(List<Header> entries) {
        this.source = null;
        this.entries = entries;
    }

    private Headers(EntrySource source) {
        this.source = source;
    }

    public static Headers of(List<Header> entries) {
        return entries.isEmpty() ? EMPTY : new Headers(List.copyOf(entries));
    }

    /**
     * Headers read from {@code source} on demand (for runners: see {@link EntrySource}); an entry without a value
     * reads {@code ""}.
     */
    public static Headers lazy(EntrySource source) {
        requireNonNull(source, "source");
        return source.size() == 0 ? EMPTY : new Headers(source);
    }

    /** {@code of("a", "1", "b", "2")}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "namesAndValues: odd length " + namesAndValues.length + " (expected: name, value pairs)");
        }
        var list = new ArrayList<Header>(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            list.add(new Header(namesAndValues[i], namesAndValues[i + 1]));
        }
        return of(list);
    }

    /** The first value of {@code name}, ignoring case. */
    public Optional<String> first(String name) {
        if (source != null) {
            int i = source.indexOf(name, 0, true);
            return i < 0 ? Optional.empty() : Optional.of(sourceValue(i));
        }
        for (Header h : entries) {
            if (h.name.equalsIgnoreCase(name)) {
                return Optional.of(h.value);
            }
        }
        return Optional.empty();
    }

    /** Every value of {@code name}, ignoring case, in order. */
    public List<String> all(String name) {
        var values = new ArrayList<String>(2);
        if (source != null) {
            for (int i = source.indexOf(name, 0, true); i >= 0; i = source.indexOf(name, i + 1, true)) {
                values.add(sourceValue(i));
            }
            return Collections.unmodifiableList(values);
        }
        for (Header h : entries) {
            if (h.name.equalsIgnoreCase(name)) {
                values.add(h.value);
            }
        }
        return Collections.unmodifiableList(values);
    }

    public boolean contains(String name) {
        if (source != null) {
            return source.indexOf(name, 0, true) >= 0;
        }
        return first(name).isPresent();
    }

    public List<Header> entries() {
        List<Header> made = entries;
        if (made == null) {
            var list = new ArrayList<Header>(source.size());
            for (int i = 0; i < source.size(); i++) {
                list.add(new Header(source.name(i), sourceValue(i)));
            }
            made = List.copyOf(list);
            entries = made;
        }
        return made;
    }

    public int size() {
        return source != null ? source.size() : entries.size();
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** A copy with every value of {@code name} replaced by one {@code value}. */
    public Headers with(String name, String value) {
        List<Header> current = entries();
        var list = new ArrayList<Header>(current.size() + 1);
        for (Header h : current) {
            if (!h.name.equalsIgnoreCase(name)) {
                list.add(h);
            }
        }
        list.add(new Header(name, value));
        return new Headers(List.copyOf(list));
    }

    /** A copy with {@code name} added after the existing values. */
    public Headers plus(String name, String value) {
        var list = new ArrayList<>(entries());
        list.add(new Header(name, value));
        return new Headers(List.copyOf(list));
    }

    /** A copy without {@code name}. */
    public Headers without(String name) {
        return new Headers(
                entries().stream().filter(h -> !h.name.equalsIgnoreCase(name)).toList());
    }

    @Override
    public Iterator<Header> iterator() {
        return entries().iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers other && entries().equals(other.entries());
    }

    @Override
    public int hashCode() {
        return entries().hashCode();
    }

    /** Names only: header values may carry credentials and must not reach logs. */
    @Override
    public String toString() {
        if (source != null) {
            var names = new ArrayList<String>(source.size());
            for (int i = 0; i < source.size(); i++) {
                names.add(source.name(i).toLowerCase(Locale.ROOT));
            }
            return "Headers" + names;
        }
        return "Headers"
                + entries.stream().map(h -> h.name.toLowerCase(Locale.ROOT)).toList();
    }

    private String sourceValue(int index) {
        String value = source.value(index);
        return value == null ? "" : value;
    }
}
