package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One {@link Breaker} per key (e.g. {@code provider/model}), created on first use with one shared config and ticker.
 * Keys come from configuration, so the map is bounded by the configured targets; {@link #remove(String)} drops a
 * target that configuration no longer names.
 */
public final class BreakerRegistry {

    private final BreakerConfig config;
    private final Ticker ticker;
    private final ConcurrentMap<String, Breaker> breakers = new ConcurrentHashMap<>();

    private BreakerRegistry(BreakerConfig config, Ticker ticker) {
        this.config = requireNonNull(config, "config");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    public static BreakerRegistry of(BreakerConfig config, Ticker ticker) {
        return new BreakerRegistry(config, ticker);
    }

    /** The breaker for {@code key}, created if absent. */
    public Breaker breaker(String key) {
        requireNonNull(key, "key");
        return breakers.computeIfAbsent(key, k -> Breaker.of(k, config, ticker));
    }

    /** The breaker for {@code key} if one was created. */
    public Optional<Breaker> find(String key) {
        return Optional.ofNullable(breakers.get(requireNonNull(key, "key")));
    }

    /** Drops the breaker for {@code key}. */
    public void remove(String key) {
        breakers.remove(requireNonNull(key, "key"));
    }

    /** A snapshot of every breaker's state, for health reporting. */
    public Map<String, BreakerState> states() {
        Map<String, BreakerState> states = new java.util.TreeMap<>();
        breakers.forEach((key, breaker) -> states.put(key, breaker.state()));
        return Map.copyOf(states);
    }
}
