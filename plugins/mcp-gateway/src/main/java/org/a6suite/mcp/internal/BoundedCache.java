package org.a6suite.mcp.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A small synchronized LRU map for node-local session facts (replacement upstream sessions, ended sessions). */
final class BoundedCache<K, V> {

    private final Map<K, V> map;

    BoundedCache(int maxEntries) {
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    synchronized Optional<V> get(K key) {
        return Optional.ofNullable(map.get(key));
    }

    synchronized void put(K key, V value) {
        map.put(key, value);
    }

    synchronized void remove(K key) {
        map.remove(key);
    }
}
