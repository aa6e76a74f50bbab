package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Configuration tokens by PrepareConf key {@code route#<id>#<plugin>#<version>}: the worker LRU (TTL 3600 s) and the
 * shared dict folded into one, because the emulator is one worker. Err 2 flushes everything (transcripts README §4).
 */
public final class TokenCache {

    private final Clock clock;
    private final Duration ttl;
    private final int capacity;
    private final Map<String, Entry> entries;

    private record Entry(long token, Instant expires) {}

    public TokenCache(Clock clock, Duration ttl, int capacity) {
        this.clock = requireNonNull(clock, "clock");
        this.ttl = requireNonNull(ttl, "ttl");
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    public synchronized OptionalLong get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return OptionalLong.empty();
        }
        if (!e.expires().isAfter(clock.instant())) {
            entries.remove(key);
            return OptionalLong.empty();
        }
        return OptionalLong.of(e.token());
    }

    public synchronized void put(String key, long token) {
        entries.put(key, new Entry(token, clock.instant().plus(ttl)));
        if (entries.size() > capacity) {
            String eldest = entries.keySet().iterator().next();
            entries.remove(eldest);
        }
    }

    public synchronized void flush() {
        entries.clear();
    }

    public synchronized int size() {
        return entries.size();
    }
}
