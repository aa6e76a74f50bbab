package org.a6suite.resilience.internal;

import java.time.Duration;
import org.a6suite.resilience.Ticker;

/**
 * Allows extra work (retries, hedges) up to {@code floorPerSecond x window + ratio x requests} over a sliding
 * window: the shape of Finagle's RetryBudget (20% + 10/s) and Envoy's retry budget (20%, min 3).
 */
public final class RatioLimiter {

    private static final int REQUESTS = 0;
    private static final int EXTRA = 1;

    private final SlidingCounter counter;
    private final double ratio;
    private final double floor;

    public RatioLimiter(Ticker ticker, Duration window, int buckets, double ratio, double floorPerSecond) {
        this.counter = new SlidingCounter(ticker, window, buckets, 2);
        this.ratio = ratio;
        this.floor = floorPerSecond * counter.windowSeconds();
    }

    public void onRequest() {
        counter.add(REQUESTS, 1);
    }

    public boolean tryAcquire() {
        return counter.tryAdd(EXTRA, sums -> floor + ratio * sums[REQUESTS]);
    }

    public long requests() {
        return counter.sum(REQUESTS);
    }

    public long acquired() {
        return counter.sum(EXTRA);
    }
}
