package org.a6suite.plugins.fallback;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * An immutable set of HTTP status codes in [100, 599], written in configuration as codes ({@code 503}), classes
 * ({@code "5xx"}) or ranges ({@code "500-504"}).
 */
public final class StatusSet {

    private final BitSet codes;
    private final List<String> spec;

    private StatusSet(BitSet codes, List<String> spec) {
        this.codes = codes;
        this.spec = spec;
    }

    /**
     * Parses entries such as {@code "2xx"}, {@code "500-504"} or {@code "429"}.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static StatusSet parse(List<String> entries) {
        requireNonNull(entries, "entries");
        BitSet codes = new BitSet(600);
        List<String> spec = new ArrayList<>();
        for (String raw : entries) {
            String entry = requireNonNull(raw, "entry").trim().toLowerCase(Locale.ROOT);
            int from;
            int to;
            if (entry.length() == 3 && entry.endsWith("xx") && Character.isDigit(entry.charAt(0))) {
                from = (entry.charAt(0) - '0') * 100;
                to = from + 99;
            } else if (entry.contains("-")) {
                String[] parts = entry.split("-", 2);
                from = parseCode(raw, parts[0]);
                to = parseCode(raw, parts[1]);
            } else {
                from = parseCode(raw, entry);
                to = from;
            }
            if (from < 100 || to > 599 || from > to) {
                throw new IllegalArgumentException(
                        raw + " (expected: a status, \"Nxx\" or \"from-to\" within 100..599)");
            }
            codes.set(from, to + 1);
            spec.add(entry);
        }
        return new StatusSet(codes, List.copyOf(spec));
    }

    public static StatusSet of(String... entries) {
        return parse(List.of(entries));
    }

    private static int parseCode(String raw, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(raw + " (expected: a status, \"Nxx\" or \"from-to\" within 100..599)");
        }
    }

    public boolean contains(int status) {
        return status >= 100 && status <= 599 && codes.get(status);
    }

    /** Whether any code is in both sets. */
    public boolean intersects(StatusSet other) {
        return codes.intersects(other.codes);
    }

    public boolean isEmpty() {
        return codes.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatusSet other && codes.equals(other.codes);
    }

    @Override
    public int hashCode() {
        return codes.hashCode();
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
