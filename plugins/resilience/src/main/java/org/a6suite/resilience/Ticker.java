package org.a6suite.resilience;

/**
 * A monotonic nanosecond time source, like {@link System#nanoTime()}.
 *
 * <p>Everything time-based in this toolkit reads time from a ticker so that tests can move time instead of sleeping
 * (see {@code org.a6suite.resilience.testing.ManualTicker}). Only differences between two readings are meaningful.
 */
@FunctionalInterface
public interface Ticker {

    /** Returns the current reading in nanoseconds; only differences between readings are meaningful. */
    long nanoTime();

    /** Returns the ticker backed by {@link System#nanoTime()}. */
    static Ticker systemTicker() {
        return System::nanoTime;
    }
}
