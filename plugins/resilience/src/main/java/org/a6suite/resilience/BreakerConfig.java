package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.a6suite.resilience.internal.Checks;

/**
 * Settings of {@link Breaker}, mapped onto Resilience4j's {@code CircuitBreakerConfig}. Defaults are Resilience4j
 * 2.4's own.
 *
 * @param windowType count-based (last N calls) or time-based (last N seconds); default {@link WindowType#COUNT}
 * @param windowSize N calls or N seconds; default 100, range [1, 100,000]
 * @param minimumCalls calls in the window before rates are computed; default 100, range [1, 100,000]
 * @param failureRateThreshold percentage of failures that opens the breaker; default 50, range (0, 100]
 * @param slowCallRateThreshold percentage of slow calls that opens the breaker; default 100, range (0, 100]
 * @param slowCallDuration calls at least this long are slow; default 60 s, > 0
 * @param waitInOpenState how long the breaker stays open before letting probes through; default 60 s, > 0
 * @param permittedCallsInHalfOpen probes in half-open state whose outcome decides close or re-open; default 10,
 *     range [1, 10,000]
 * @param maxWaitInHalfOpen how long half-open may wait for probes before opening again; default 0 = as long as it
 *     takes, >= 0
 */
public record BreakerConfig(
        WindowType windowType,
        int windowSize,
        int minimumCalls,
        float failureRateThreshold,
        float slowCallRateThreshold,
        Duration slowCallDuration,
        Duration waitInOpenState,
        int permittedCallsInHalfOpen,
        Duration maxWaitInHalfOpen) {

    /** How the breaker's window counts. */
    public enum WindowType {
        COUNT,
        TIME
    }

    public static final BreakerConfig DEFAULT = builder().build();

    public BreakerConfig {
        requireNonNull(windowType, "windowType");
        Checks.inRange("windowSize", windowSize, 1, 100_000);
        Checks.inRange("minimumCalls", minimumCalls, 1, 100_000);
        if (failureRateThreshold <= 0 || failureRateThreshold > 100) {
            throw Checks.invalid("failureRateThreshold", failureRateThreshold, "0 < failureRateThreshold <= 100");
        }
        if (slowCallRateThreshold <= 0 || slowCallRateThreshold > 100) {
            throw Checks.invalid("slowCallRateThreshold", slowCallRateThreshold, "0 < slowCallRateThreshold <= 100");
        }
        Checks.positive("slowCallDuration", slowCallDuration);
        Checks.positive("waitInOpenState", waitInOpenState);
        Checks.inRange("permittedCallsInHalfOpen", permittedCallsInHalfOpen, 1, 10_000);
        Checks.nonNegative("maxWaitInHalfOpen", maxWaitInHalfOpen);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link BreakerConfig}; {@link #build()} validates. */
    public static final class Builder {
        private WindowType windowType = WindowType.COUNT;
        private int windowSize = 100;
        private int minimumCalls = 100;
        private float failureRateThreshold = 50;
        private float slowCallRateThreshold = 100;
        private Duration slowCallDuration = Duration.ofSeconds(60);
        private Duration waitInOpenState = Duration.ofSeconds(60);
        private int permittedCallsInHalfOpen = 10;
        private Duration maxWaitInHalfOpen = Duration.ZERO;

        private Builder() {}

        public Builder windowType(WindowType windowType) {
            this.windowType = requireNonNull(windowType, "windowType");
            return this;
        }

        public Builder windowSize(int windowSize) {
            this.windowSize = windowSize;
            return this;
        }

        public Builder minimumCalls(int minimumCalls) {
            this.minimumCalls = minimumCalls;
            return this;
        }

        public Builder failureRateThreshold(float failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
            return this;
        }

        public Builder slowCallRateThreshold(float slowCallRateThreshold) {
            this.slowCallRateThreshold = slowCallRateThreshold;
            return this;
        }

        public Builder slowCallDuration(Duration slowCallDuration) {
            this.slowCallDuration = requireNonNull(slowCallDuration, "slowCallDuration");
            return this;
        }

        public Builder waitInOpenState(Duration waitInOpenState) {
            this.waitInOpenState = requireNonNull(waitInOpenState, "waitInOpenState");
            return this;
        }

        public Builder permittedCallsInHalfOpen(int permittedCallsInHalfOpen) {
            this.permittedCallsInHalfOpen = permittedCallsInHalfOpen;
            return this;
        }

        public Builder maxWaitInHalfOpen(Duration maxWaitInHalfOpen) {
            this.maxWaitInHalfOpen = requireNonNull(maxWaitInHalfOpen, "maxWaitInHalfOpen");
            return this;
        }

        public BreakerConfig build() {
            return new BreakerConfig(
                    windowType,
                    windowSize,
                    minimumCalls,
                    failureRateThreshold,
                    slowCallRateThreshold,
                    slowCallDuration,
                    waitInOpenState,
                    permittedCallsInHalfOpen,
                    maxWaitInHalfOpen);
        }
    }
}
