package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import org.a6suite.resilience.internal.RatioLimiter;

/** Caps the extra load hedging adds: hedges stay within a share of recent calls. Thread-safe, shared per route. */
public final class HedgeBudget {

    private final HedgeBudgetConfig config;
    private final RatioLimiter limiter;

    private HedgeBudget(HedgeBudgetConfig config, Ticker ticker) {
        this.config = requireNonNull(config, "config");
        this.limiter = new RatioLimiter(
                requireNonNull(ticker, "ticker"),
                config.window(),
                config.windowBuckets(),
                config.maxExtraLoad(),
                config.minHedgesPerSecond());
    }

    public static HedgeBudget of(HedgeBudgetConfig config, Ticker ticker) {
        return new HedgeBudget(config, ticker);
    }

    /** Counts one hedgeable call. */
    public void onCall() {
        limiter.onRequest();
    }

    /** Takes one hedge from the budget; false when it is spent. */
    public boolean tryAcquireHedge() {
        return limiter.tryAcquire();
    }

    public long calls() {
        return limiter.requests();
    }

    public long hedges() {
        return limiter.acquired();
    }

    public HedgeBudgetConfig config() {
        return config;
    }
}
