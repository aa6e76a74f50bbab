package org.a6suite.plugins.fallback;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Bounds of the per-route last-good-response cache.
 *
 * @param maxEntries    responses kept per route (least recently used evicted first); default 1000, range
 *                      [0, 1,000,000], 0 turns caching off
 * @param maxBodyBytes  larger responses are not cached; default 1 MiB, range [0, 16 MiB]
 * @param maxAge        a cached response older than this is never served (the stale-if-error bound); default 300 s,
 *                      range (0, 7 days]
 * @param cacheSetCookie whether responses carrying {@code Set-Cookie} may be cached; default false
 */
public record CacheSettings(int maxEntries, int maxBodyBytes, Duration maxAge, boolean cacheSetCookie) {

    public static final CacheSettings DEFAULT = new CacheSettings(1000, 1 << 20, Duration.ofSeconds(300), false);

    public CacheSettings {
        requireNonNull(maxAge, "maxAge");
    }
}
