package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.a6suite.resilience.internal.Checks;
import org.a6suite.resilience.internal.LatencyWindow;
import org.a6suite.resilience.internal.Stages;

/**
 * Per-key latency windows (HdrHistogram) and the attempt timeouts derived from them.
 *
 * <p>Keys are targets such as {@code provider/model}; they come from configuration, so the map stays bounded by the
 * number of configured targets. What is recorded (see {@link #recorder(String)}): successful attempts' latencies, and
 * attempts that hit their own attempt deadline at the time they were allowed. The second kind keeps the timeout from
 * locking itself in after a latency shift upwards: while every attempt times out, the window fills with the timeout,
 * so the next timeout is {@code multiplier} times larger, until attempts succeed again or the ceiling is reached.
 * Fast failures (connection refused) are not recorded: they would pull the percentile down.
 */
public final class AdaptiveTimeout {

    private final AdaptiveTimeoutConfig config;
    private final Ticker ticker;
    private final ConcurrentMap<String, KeyState> keys = new ConcurrentHashMap<>();

    private AdaptiveTimeout(AdaptiveTimeoutConfig config, Ticker ticker) {
        this.config = requireNonNull(config, "config");
        this.ticker = requireNonNull(ticker, "ticker");
    }

    public static AdaptiveTimeout of(AdaptiveTimeoutConfig config, Ticker ticker) {
        return new AdaptiveTimeout(config, ticker);
    }

    public AdaptiveTimeoutConfig config() {
        return config;
    }

    /** Records one latency sample for {@code key}. */
    public void record(String key, Duration latency) {
        requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw Checks.invalid("latency", latency, ">= 0");
        }
        state(key).window.record(latency);
    }

    /**
     * The attempt timeout for {@code key}: {@code warmupTimeout} until {@code minSamples} samples are in the window,
     * then clamp(multiplier x percentile, floor, ceiling).
     */
    public Duration timeout(String key) {
        KeyState state = state(key);
        if (state.window.count() < config.minSamples()) {
            return config.warmupTimeout();
        }
        Duration base = state.cachedPercentile();
        long nanos = (long) Math.min(Long.MAX_VALUE, Stages.saturatedNanos(base) * config.multiplier());
        Duration scaled = Duration.ofNanos(nanos);
        if (scaled.compareTo(config.floor()) < 0) {
            return config.floor();
        }
        return scaled.compareTo(config.ceiling()) > 0 ? config.ceiling() : scaled;
    }

    /** A supplier of {@link #timeout(String)} for {@link Deadlines#withAttemptTimeout(DeadlineCall, Supplier, Scheduler)}. */
    public Supplier<Duration> timeoutFor(String key) {
        requireNonNull(key, "key");
        return () -> timeout(key);
    }

    /**
     * The observed latency at {@code percentile} (0-100] for {@code key}, empty until {@code minSamples} samples are
     * in the window; used as a hedge delay.
     */
    public Optional<Duration> percentile(String key, double percentile) {
        Checks.inRange("percentile", percentile, Math.ulp(0.0), 100.0);
        LatencyWindow window = state(key).window;
        if (window.count() < config.minSamples()) {
            return Optional.empty();
        }
        return Optional.of(window.valueAtPercentile(percentile));
    }

    /** Samples currently in {@code key}'s window. */
    public long sampleCount(String key) {
        return state(key).window.count();
    }

    /** A listener that records {@code key}'s samples from attempt events (see the class comment for which). */
    public AttemptListener recorder(String key) {
        requireNonNull(key, "key");
        return event -> {
            if (event.outcome().isSuccess()) {
                record(key, event.duration());
            } else if (event.error().orElse(null) instanceof DeadlineExceededException exceeded
                    && exceeded.scope() == DeadlineExceededException.Scope.ATTEMPT) {
                record(key, event.duration());
            }
        };
    }

    private KeyState state(String key) {
        requireNonNull(key, "key");
        return keys.computeIfAbsent(key, k -> new KeyState());
    }

    private final class KeyState {
        final LatencyWindow window = new LatencyWindow(
                ticker,
                config.window(),
                config.windowIntervals(),
                // Track up to ten ceilings so censored samples and a shift far above the ceiling stay visible.
                config.ceiling().multipliedBy(10));
        private volatile long computedAt;
        private volatile Duration computed;

        Duration cachedPercentile() {
            long now = ticker.nanoTime();
            Duration value = computed;
            if (value == null
                    || now - computedAt >= config.refreshInterval().toNanos()
                    || config.refreshInterval().isZero()) {
                value = window.valueAtPercentile(config.percentile());
                computed = value;
                computedAt = now;
            }
            return value;
        }
    }
}
