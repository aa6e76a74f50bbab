package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Immutable HTTP headers: multi-valued, looked up case-insensitively, iterated in the order and case received.
 * Request headers from APISIX arrive lower-cased, at most 100 entries, one entry per value; response headers
 * (HTTPRespCall) keep the upstream's case.
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

    private final List<Header> entries;

    private Headers(List<Header> entries) {
        this.entries = entries;
    }

    public static Headers of(List<Header> entries) {
        return entries.isEmpty() ? EMPTY : new Headers(List.copyOf(entries));
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
        for (Header h : entries) {
            if (h.name.equalsIgnoreCase(name)) {
                values.add(h.value);
            }
        }
        return Collections.unmodifiableList(values);
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    public List<Header> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** A copy with every value of {@code name} replaced by one {@code value}. */
    public Headers with(String name, String value) {
        var list = new ArrayList<Header>(entries.size() + 1);
        for (Header h : entries) {
            if (!h.name.equalsIgnoreCase(name)) {
                list.add(h);
            }
        }
        list.add(new Header(name, value));
        return new Headers(List.copyOf(list));
    }

    /** A copy with {@code name} added after the existing values. */
    public Headers plus(String name, String value) {
        var list = new ArrayList<>(entries);
        list.add(new Header(name, value));
        return new Headers(List.copyOf(list));
    }

    /** A copy without {@code name}. */
    public Headers without(String name) {
        return new Headers(
                entries.stream().filter(h -> !h.name.equalsIgnoreCase(name)).toList());
    }

    @Override
    public Iterator<Header> iterator() {
        return entries.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    /** Names only: header values may carry credentials and must not reach logs. */
    @Override
    public String toString() {
        return "Headers"
                + entries.stream().map(h -> h.name.toLowerCase(Locale.ROOT)).toList();
    }
}
