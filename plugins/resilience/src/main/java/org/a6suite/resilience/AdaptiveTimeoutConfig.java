package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.a6suite.resilience.internal.Checks;

/**
 * Settings of {@link AdaptiveTimeout}: attempt timeout = clamp(multiplier x pXX of the window's latencies, floor,
 * ceiling), or {@code warmupTimeout} while fewer than {@code minSamples} samples are in the window.
 *
 * @param percentile the latency percentile the timeout is based on; default 99.0, range (0, 100]
 * @param multiplier head-room over that percentile; default 2.0, range [1, 100]
 * @param floor lowest timeout ever returned; default 100 ms, > 0
 * @param ceiling highest timeout ever returned; default 30 s, >= floor
 * @param minSamples samples needed in the window before it is trusted; default 50, range [1, 1,000,000]
 * @param warmupTimeout timeout while the window has too few samples; default 10 s, within [floor, ceiling]
 * @param window how far back samples count; default 60 s, >= 1 ms
 * @param windowIntervals how many intervals the window slides by; default 6 (10 s each), range [1, 120]
 * @param refreshInterval how long a computed percentile is reused before it is read again; default 1 s, >= 0
 *     (0 = read on every call)
 */
public record AdaptiveTimeoutConfig(
        double percentile,
        double multiplier,
        Duration floor,
        Duration ceiling,
        int minSamples,
        Duration warmupTimeout,
        Duration window,
        int windowIntervals,
        Duration refreshInterval) {

    /** All defaults. */
    public static final AdaptiveTimeoutConfig DEFAULT = builder().build();

    public AdaptiveTimeoutConfig {
        Checks.inRange("percentile", percentile, Math.ulp(0.0), 100.0);
        Checks.inRange("multiplier", multiplier, 1.0, 100.0);
        Checks.positive("floor", floor);
        Checks.positive("ceiling", ceiling);
        if (ceiling.compareTo(floor) < 0) {
            throw Checks.invalid("ceiling", ceiling, ">= floor (" + floor + ")");
        }
        Checks.inRange("minSamples", minSamples, 1, 1_000_000);
        Checks.positive("warmupTimeout", warmupTimeout);
        if (warmupTimeout.compareTo(floor) < 0 || warmupTimeout.compareTo(ceiling) > 0) {
            throw Checks.invalid("warmupTimeout", warmupTimeout, floor + " <= warmupTimeout <= " + ceiling);
        }
        Checks.positive("window", window);
        if (window.compareTo(Duration.ofMillis(1)) < 0) {
            throw Checks.invalid("window", window, ">= PT0.001S");
        }
        Checks.inRange("windowIntervals", windowIntervals, 1, 120);
        Checks.nonNegative("refreshInterval", refreshInterval);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        return new Builder()
                .percentile(percentile)
                .multiplier(multiplier)
                .floor(floor)
                .ceiling(ceiling)
                .minSamples(minSamples)
                .warmupTimeout(warmupTimeout)
                .window(window)
                .windowIntervals(windowIntervals)
                .refreshInterval(refreshInterval);
    }

    /** Builds an {@link AdaptiveTimeoutConfig}; {@link #build()} validates. */
    public static final class Builder {
        private double percentile = 99.0;
        private double multiplier = 2.0;
        private Duration floor = Duration.ofMillis(100);
        private Duration ceiling = Duration.ofSeconds(30);
        private int minSamples = 50;
        private Duration warmupTimeout = Duration.ofSeconds(10);
        private Duration window = Duration.ofSeconds(60);
        private int windowIntervals = 6;
        private Duration refreshInterval = Duration.ofSeconds(1);

        private Builder() {}

        public Builder percentile(double percentile) {
            this.percentile = percentile;
            return this;
        }

        public Builder multiplier(double multiplier) {
            this.multiplier = multiplier;
            return this;
        }

        public Builder floor(Duration floor) {
            this.floor = requireNonNull(floor, "floor");
            return this;
        }

        public Builder ceiling(Duration ceiling) {
            this.ceiling = requireNonNull(ceiling, "ceiling");
            return this;
        }

        public Builder minSamples(int minSamples) {
            this.minSamples = minSamples;
            return this;
        }

        public Builder warmupTimeout(Duration warmupTimeout) {
            this.warmupTimeout = requireNonNull(warmupTimeout, "warmupTimeout");
            return this;
        }

        public Builder window(Duration window) {
            this.window = requireNonNull(window, "window");
            return this;
        }

        public Builder windowIntervals(int windowIntervals) {
            this.windowIntervals = windowIntervals;
            return this;
        }

        public Builder refreshInterval(Duration refreshInterval) {
            this.refreshInterval = requireNonNull(refreshInterval, "refreshInterval");
            return this;
        }

        /** Validates and builds; throws {@link IllegalArgumentException} naming the first bad field. */
        public AdaptiveTimeoutConfig build() {
            return new AdaptiveTimeoutConfig(
                    percentile,
                    multiplier,
                    floor,
                    ceiling,
                    minSamples,
                    warmupTimeout,
                    window,
                    windowIntervals,
                    refreshInterval);
        }
    }
}
