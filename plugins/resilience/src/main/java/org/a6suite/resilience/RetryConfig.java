package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.a6suite.resilience.internal.Checks;

/**
 * Settings of {@link Retry}. Backoff before retry {@code n} (0-based) is full jitter:
 * {@code random(0, min(maxBackoff, baseBackoff x 2^n))}, raised to the server's Retry-After if that is longer.
 *
 * @param maxAttempts attempts including the first; default 3, range [1, 10] (1 = no retries)
 * @param baseBackoff backoff cap of the first retry; default 25 ms (Envoy), >= 0
 * @param maxBackoff cap of any backoff; default 250 ms (Envoy: 10 x base), >= baseBackoff
 * @param honourRetryAfter whether a server's minimum delay (from {@link Outcome#retryAfter()}) is respected;
 *     default true
 * @param maxRetryAfter longest server delay accepted; a longer one ends retrying at once; default 30 s, >= 0
 */
public record RetryConfig(
        int maxAttempts, Duration baseBackoff, Duration maxBackoff, boolean honourRetryAfter, Duration maxRetryAfter) {

    /** All defaults. */
    public static final RetryConfig DEFAULT = builder().build();

    public RetryConfig {
        Checks.inRange("maxAttempts", maxAttempts, 1, 10);
        Checks.nonNegative("baseBackoff", baseBackoff);
        Checks.nonNegative("maxBackoff", maxBackoff);
        if (maxBackoff.compareTo(baseBackoff) < 0) {
            throw Checks.invalid("maxBackoff", maxBackoff, ">= baseBackoff (" + baseBackoff + ")");
        }
        Checks.nonNegative("maxRetryAfter", maxRetryAfter);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RetryConfig}; {@link #build()} validates. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration baseBackoff = Duration.ofMillis(25);
        private Duration maxBackoff = Duration.ofMillis(250);
        private boolean honourRetryAfter = true;
        private Duration maxRetryAfter = Duration.ofSeconds(30);

        private Builder() {}

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder baseBackoff(Duration baseBackoff) {
            this.baseBackoff = requireNonNull(baseBackoff, "baseBackoff");
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff");
            return this;
        }

        public Builder honourRetryAfter(boolean honourRetryAfter) {
            this.honourRetryAfter = honourRetryAfter;
            return this;
        }

        public Builder maxRetryAfter(Duration maxRetryAfter) {
            this.maxRetryAfter = requireNonNull(maxRetryAfter, "maxRetryAfter");
            return this;
        }

        public RetryConfig build() {
            return new RetryConfig(maxAttempts, baseBackoff, maxBackoff, honourRetryAfter, maxRetryAfter);
        }
    }
}
