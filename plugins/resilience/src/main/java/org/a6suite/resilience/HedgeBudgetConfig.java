package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.a6suite.resilience.internal.Checks;

/**
 * Settings of {@link HedgeBudget}: hedges allowed in the window = {@code minHedgesPerSecond x window +
 * maxExtraLoad x calls in the window}.
 *
 * @param maxExtraLoad hedges per call at most; default 0.05 (5%, "The Tail at Scale"), range [0, 1]
 * @param minHedgesPerSecond hedges always allowed, so low traffic can hedge; default 0, range [0, 10,000]
 * @param window how far back calls and hedges count; default 10 s, range [1 s, 1 h]
 * @param windowBuckets how many buckets the window slides by; default 10, range [1, 600]
 */
public record HedgeBudgetConfig(double maxExtraLoad, double minHedgesPerSecond, Duration window, int windowBuckets) {

    public static final HedgeBudgetConfig DEFAULT = builder().build();

    public HedgeBudgetConfig {
        Checks.inRange("maxExtraLoad", maxExtraLoad, 0.0, 1.0);
        Checks.inRange("minHedgesPerSecond", minHedgesPerSecond, 0.0, 10_000.0);
        Checks.budgetWindow(window, windowBuckets);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link HedgeBudgetConfig}; {@link #build()} validates. */
    public static final class Builder {
        private double maxExtraLoad = 0.05;
        private double minHedgesPerSecond = 0;
        private Duration window = Duration.ofSeconds(10);
        private int windowBuckets = 10;

        private Builder() {}

        public Builder maxExtraLoad(double maxExtraLoad) {
            this.maxExtraLoad = maxExtraLoad;
            return this;
        }

        public Builder minHedgesPerSecond(double minHedgesPerSecond) {
            this.minHedgesPerSecond = minHedgesPerSecond;
            return this;
        }

        public Builder window(Duration window) {
            this.window = requireNonNull(window, "window");
            return this;
        }

        public Builder windowBuckets(int windowBuckets) {
            this.windowBuckets = windowBuckets;
            return this;
        }

        public HedgeBudgetConfig build() {
            return new HedgeBudgetConfig(maxExtraLoad, minHedgesPerSecond, window, windowBuckets);
        }
    }
}
