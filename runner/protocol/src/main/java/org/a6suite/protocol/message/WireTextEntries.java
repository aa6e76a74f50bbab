package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;

/**
 * A {@code [TextEntry]} vector as it arrived, read lazily: the decoder checks every offset and length once and keeps
 * only where each name and value lies in a private copy of the payload; a name or value becomes a {@code String}
 * when first asked for, and is then kept. Lookups by name ({@link #indexOf}, {@link #indexOfIgnoreCase}) compare the
 * wire bytes against the asked name without making Strings, so a plugin that reads one header pays for one value.
 *
 * <p>Bytes are decoded as UTF-8 with malformed sequences replaced by U+FFFD, the same as the eager decoder did, and
 * lookups give exactly the answer {@link String#equals}/{@link String#equalsIgnoreCase} on the decoded names would.
 *
 * <p>Immutable as far as any reader can tell, and safe to share between threads: the caches are filled racily, but
 * every racing thread computes an equal immutable String, and a reader sees either nothing yet or a whole String.
 */
public final class WireTextEntries extends AbstractList<TextEntry> implements RandomAccess {
    /** No value: a flag argument, or a rewrite's delete. */
    private static final int ABSENT = -1;

    private static final int NO_MATCH = 0;
    private static final int MATCH = 1;
    private static final int UNDECIDED = 2;

    private final byte[] data;
    /** Per entry: name start, name length, value start, value length ({@link #ABSENT} when absent). */
    private final int[] spans;

    private final int size;
    private String[] names;
    private String[] values;

    /**
     * Entries over {@code data}; {@code spans} holds four ints per entry (name start, name length, value start,
     * value length or -1 for an absent value). Both arrays are owned by the result afterwards.
     *
     * @throws IllegalArgumentException if a span lies outside {@code data}
     */
    public WireTextEntries(byte[] data, int[] spans) {
        this.data = requireNonNull(data, "data");
        this.spans = requireNonNull(spans, "spans");
        if (spans.length % 4 != 0) {
            throw new IllegalArgumentException("spans: length " + spans.length + " (expected: 4 ints per entry)");
        }
        this.size = spans.length / 4;
        for (int i = 0; i < size; i++) {
            Objects.checkFromIndexSize(spans[4 * i], spans[4 * i + 1], data.length);
            if (spans[4 * i + 3] != ABSENT) {
                Objects.checkFromIndexSize(spans[4 * i + 2], spans[4 * i + 3], data.length);
            }
        }
    }

    /**
     * {@code entries} as an unmodifiable list: itself when it is already a {@code WireTextEntries} (immutable, and
     * copying would decode it), else {@link List#copyOf}.
     */
    public static List<TextEntry> immutable(List<TextEntry> entries) {
        return entries instanceof WireTextEntries wire ? wire : List.copyOf(entries);
    }

    @Override
    public int size() {
        return size;
    }

    /** The name of entry {@code index}, decoded on first use. */
    public String name(int index) {
        Objects.checkIndex(index, size);
        String[] cache = names;
        if (cache == null) {
            cache = new String[size];
            names = cache;
        }
        String name = cache[index];
        if (name == null) {
            name = decode(spans[4 * index], spans[4 * index + 1]);
            cache[index] = name;
        }
        return name;
    }

    /** The value of entry {@code index} decoded on first use, or {@code null} when the entry has none. */
    public String value(int index) {
        Objects.checkIndex(index, size);
        int length = spans[4 * index + 3];
        if (length == ABSENT) {
            return null;
        }
        String[] cache = values;
        if (cache == null) {
            cache = new String[size];
            values = cache;
        }
        String value = cache[index];
        if (value == null) {
            value = decode(spans[4 * index + 2], length);
            cache[index] = value;
        }
        return value;
    }

    /** The first entry at or after {@code from} whose name {@link String#equals} {@code name}, or -1. */
    public int indexOf(String name, int from) {
        return find(name, from, false);
    }

    /** The first entry at or after {@code from} whose name {@link String#equalsIgnoreCase} {@code name}, or -1. */
    public int indexOfIgnoreCase(String name, int from) {
        return find(name, from, true);
    }

    @Override
    public TextEntry get(int index) {
        return new TextEntry(name(index), Optional.ofNullable(value(index)));
    }

    private int find(String name, int from, boolean ignoreCase) {
        requireNonNull(name, "name");
        boolean ascii = isAscii(name);
        for (int i = Math.max(from, 0); i < size; i++) {
            int match = ascii ? asciiMatch(i, name, ignoreCase) : UNDECIDED;
            if (match == UNDECIDED) {
                String wire = name(i);
                match = (ignoreCase ? wire.equalsIgnoreCase(name) : wire.equals(name)) ? MATCH : NO_MATCH;
            }
            if (match == MATCH) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Compares entry {@code index}'s name bytes with an all-ASCII {@code name}. Up to the first non-ASCII wire byte,
     * bytes and chars stand in one-to-one correspondence (UTF-8), so a difference there is final; a non-ASCII byte
     * could decode to a char that matches ignoring case (the Kelvin sign and 'k'), so it is left UNDECIDED for the
     * String comparison. Lengths: equal ASCII prefixes with more wire bytes decode to a longer String.
     */
    private int asciiMatch(int index, String name, boolean ignoreCase) {
        int start = spans[4 * index];
        int length = spans[4 * index + 1];
        int common = Math.min(length, name.length());
        for (int k = 0; k < common; k++) {
            int b = data[start + k];
            if (b < 0) {
                return UNDECIDED;
            }
            int c = name.charAt(k);
            if (b != c && (!ignoreCase || lowerAscii(b) != lowerAscii(c))) {
                return NO_MATCH;
            }
        }
        // Shorter: every wire byte was ASCII, so the decoded name is shorter too. Longer: the tail decodes to at
        // least one more char.
        return length == name.length() ? MATCH : NO_MATCH;
    }

    private static int lowerAscii(int c) {
        return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private String decode(int start, int length) {
        return new String(data, start, length, StandardCharsets.UTF_8);
    }
}
