package org.a6suite.plugin.spi;

/**
 * Name/value entries a runner reads lazily from its wire format, behind {@link org.a6suite.plugin.Headers#lazy} and
 * {@link org.a6suite.plugin.QueryArgs#lazy}: the views ask it for the entries a plugin reads, so a header nobody reads
 * never becomes a {@code String}. Plugins neither implement nor call it; a runner (or a test) does.
 *
 * <p>Implementations must be immutable in effect and safe to read from several threads, like the views they back,
 * and must answer every index below {@link #size()} with the same names and values each time.
 */
public interface EntrySource {

    /** How many entries there are. */
    int size();

    /** The name of entry {@code index} (0 .. size - 1). */
    String name(int index);

    /** The value of entry {@code index}, or {@code null} when the entry has none (a flag argument such as {@code ?debug}). */
    String value(int index);

    /**
     * The first entry at or after {@code from} whose name is {@code name}, compared as {@link String#equals} or, with
     * {@code ignoreCase}, as {@link String#equalsIgnoreCase}; -1 when there is none.
     */
    int indexOf(String name, int from, boolean ignoreCase);
}
