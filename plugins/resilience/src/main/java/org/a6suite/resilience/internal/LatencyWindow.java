package org.a6suite.resilience.internal;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.a6suite.resilience.Ticker;

/**
 * Latencies over a sliding time window: a ring of interval histograms plus one running sum of them.
 *
 * <p>Each sample goes into the current interval's histogram and into {@code merged}; when an interval falls out of the
 * window its histogram is subtracted from {@code merged} and reused. A percentile is therefore one read of
 * {@code merged}, never a merge of the whole ring. Values are microseconds, clamped to the trackable range.
 * Guarded by the instance's monitor (recording is a few array writes; contention is per key).
 */
public final class LatencyWindow {

    private final Ticker ticker;
    private final long intervalNanos;
    private final Histogram[] intervals;
    private final long[] intervalIndex;
    private final Histogram merged;
    private final long highestMicros;

    public LatencyWindow(Ticker ticker, Duration window, int intervalCount, Duration highestTrackable) {
        this.ticker = ticker;
        this.intervalNanos = Math.max(1, window.toNanos() / intervalCount);
        this.highestMicros = Math.max(2, highestTrackable.toNanos() / 1_000);
        this.intervals = new Histogram[intervalCount];
        this.intervalIndex = new long[intervalCount];
        for (int i = 0; i < intervalCount; i++) {
            intervals[i] = new Histogram(1, highestMicros, 2);
            intervalIndex[i] = Long.MIN_VALUE;
        }
        this.merged = new Histogram(1, highestMicros, 2);
    }

    public synchronized void record(Duration latency) {
        long micros = Math.min(highestMicros, Math.max(1, Stages.saturatedNanos(latency) / 1_000));
        Histogram current = rotate();
        current.recordValue(micros);
        merged.recordValue(micros);
    }

    /** Samples in the window. */
    public synchronized long count() {
        rotate();
        return merged.getTotalCount();
    }

    /** The latency at {@code percentile} (0-100) over the window, or zero when empty. */
    public synchronized Duration valueAtPercentile(double percentile) {
        rotate();
        if (merged.getTotalCount() == 0) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(merged.getValueAtPercentile(percentile) * 1_000);
    }

    /** Drops expired intervals from {@code merged} and returns the current interval's histogram. */
    private Histogram rotate() {
        long now = Math.floorDiv(ticker.nanoTime(), intervalNanos);
        int n = intervals.length;
        for (int i = 0; i < n; i++) {
            if (intervalIndex[i] != Long.MIN_VALUE && now - intervalIndex[i] >= n) {
                merged.subtract(intervals[i]);
                intervals[i].reset();
                intervalIndex[i] = Long.MIN_VALUE;
            }
        }
        int slot = (int) Math.floorMod(now, (long) n);
        if (intervalIndex[slot] != now) {
            // The slot held an interval still inside the window only if n intervals have not passed, which the
            // sweep above rules out; here it is empty.
            intervalIndex[slot] = now;
        }
        return intervals[slot];
    }
}
