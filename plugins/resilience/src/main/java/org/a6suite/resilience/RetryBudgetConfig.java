package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.a6suite.resilience.internal.Checks;

/**
 * Settings of {@link RetryBudget}: retries allowed in the window =
 * {@code minRetriesPerSecond x window + ratio x requests in the window}.
 *
 * @param ratio retries allowed per first attempt; default 0.2 (Envoy, Finagle), range [0, 10]
 * @param minRetriesPerSecond retries always allowed, so low traffic can still retry; default 10 (Finagle), range
 *     [0, 100,000]
 * @param window how far back requests and retries count; default 10 s (Finagle's TTL), range [1 s, 1 h]
 * @param windowBuckets how many buckets the window slides by; default 10, range [1, 600]
 */
public record RetryBudgetConfig(double ratio, double minRetriesPerSecond, Duration window, int windowBuckets) {

    public static final RetryBudgetConfig DEFAULT = builder().build();

    public RetryBudgetConfig {
        Checks.inRange("ratio", ratio, 0.0, 10.0);
        Checks.inRange("minRetriesPerSecond", minRetriesPerSecond, 0.0, 100_000.0);
        Checks.budgetWindow(window, windowBuckets);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RetryBudgetConfig}; {@link #build()} validates. */
    public static final class Builder {
        private double ratio = 0.2;
        private double minRetriesPerSecond = 10;
        private Duration window = Duration.ofSeconds(10);
        private int windowBuckets = 10;

        private Builder() {}

        public Builder ratio(double ratio) {
            this.ratio = ratio;
            return this;
        }

        public Builder minRetriesPerSecond(double minRetriesPerSecond) {
            this.minRetriesPerSecond = minRetriesPerSecond;
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

        public RetryBudgetConfig build() {
            return new RetryBudgetConfig(ratio, minRetriesPerSecond, window, windowBuckets);
        }
    }
}
