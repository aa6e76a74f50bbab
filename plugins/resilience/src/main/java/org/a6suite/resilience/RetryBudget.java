package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import org.a6suite.resilience.internal.RatioLimiter;

/**
 * A retry budget shared by every call to one target (or one route), so a failing backend cannot multiply the load
 * sent to it: over a sliding window, retries may not exceed {@code minRetriesPerSecond x window + ratio x first
 * attempts}. Finagle's default is 20% plus 10 retries per second; Envoy's 20% of active requests with a minimum of 3.
 * Thread-safe.
 */
public final class RetryBudget {

    private final RetryBudgetConfig config;
    private final RatioLimiter limiter;

    private RetryBudget(RetryBudgetConfig config, Ticker ticker) {
        this.config = requireNonNull(config, "config");
        this.limiter = new RatioLimiter(
                requireNonNull(ticker, "ticker"),
                config.window(),
                config.windowBuckets(),
                config.ratio(),
                config.minRetriesPerSecond());
    }

    public static RetryBudget of(RetryBudgetConfig config, Ticker ticker) {
        return new RetryBudget(config, ticker);
    }

    /** Counts one first attempt (a deposit). */
    public void onRequest() {
        limiter.onRequest();
    }

    /** Takes one retry from the budget; false (and nothing counted) when it is spent. */
    public boolean tryAcquireRetry() {
        return limiter.tryAcquire();
    }

    /** First attempts counted in the window. */
    public long requests() {
        return limiter.requests();
    }

    /** Retries granted in the window. */
    public long retries() {
        return limiter.acquired();
    }

    public RetryBudgetConfig config() {
        return config;
    }
}
