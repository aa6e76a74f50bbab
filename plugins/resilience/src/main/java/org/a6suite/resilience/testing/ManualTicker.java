package org.a6suite.resilience.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.resilience.Ticker;

/** A {@link Ticker} that moves only when a test says so. Thread-safe. */
public final class ManualTicker implements Ticker {

    private final AtomicLong nanos;

    /** Starts at an arbitrary non-zero reading, as real tickers do, to catch code that assumes zero. */
    public ManualTicker() {
        this(1_000_000_000L);
    }

    public ManualTicker(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    /** Moves time forward by {@code duration} (must not be negative). */
    public void advance(Duration duration) {
        requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
        }
        nanos.addAndGet(duration.toNanos());
    }

    /** Moves time forward by {@code millis} milliseconds. */
    public void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }
}
