package org.a6suite.runner.transport;

import static java.util.Objects.requireNonNull;

import org.a6suite.plugin.spi.EntrySource;
import org.a6suite.protocol.message.WireTextEntries;

/**
 * The plugin API's {@link EntrySource} over a decoded call's {@link WireTextEntries}: the lazy {@code Headers} and
 * {@code QueryArgs} a plugin sees read the frame's bytes through it. No {@code toString}: the entries hold header
 * values, which must not reach logs.
 */
final class WireEntrySource implements EntrySource {
    private final WireTextEntries entries;

    WireEntrySource(WireTextEntries entries) {
        this.entries = requireNonNull(entries, "entries");
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public String name(int index) {
        return entries.name(index);
    }

    @Override
    public String value(int index) {
        return entries.value(index);
    }

    @Override
    public int indexOf(String name, int from, boolean ignoreCase) {
        return ignoreCase ? entries.indexOfIgnoreCase(name, from) : entries.indexOf(name, from);
    }
}
