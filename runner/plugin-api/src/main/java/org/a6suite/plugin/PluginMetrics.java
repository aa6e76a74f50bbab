package org.a6suite.plugin;

import java.util.Map;

/**
 * A minimal metrics sink, so plugins need no metrics library. The runner exposes what is recorded here in
 * Prometheus text format. Names follow Prometheus conventions: counters end in {@code _total}
 * ({@code a6_ai_tokens_total}), histograms in their unit ({@code a6_ai_time_to_first_token_seconds}). The first call
 * for a name fixes its type and label names. Label values must come from a small set (provider, model, tool), never
 * from request data. A call the runner cannot record (invalid name, negative amount...) is dropped, never thrown.
 *
 * <p>Two ways to record: {@link #increment}/{@link #observe} name the series on every call (the runner looks it up
 * by name and label map each time); {@link #counter}/{@link #histogram} bind one series (a name and a fixed label
 * set) once and return a handle that records straight on it, for series a plugin records on every request. Both
 * feed the same series and follow the same rules.
 */
public interface PluginMetrics {

    PluginMetrics NOOP = new PluginMetrics() {
        @Override
        public void increment(String name, String help, Map<String, String> labels, double amount) {}

        @Override
        public void observe(String name, String help, Map<String, String> labels, double value) {}

        @Override
        public BoundCounter counter(String name, String help, Map<String, String> labels) {
            return BoundCounter.NOOP;
        }

        @Override
        public BoundHistogram histogram(String name, String help, Map<String, String> labels) {
            return BoundHistogram.NOOP;
        }
    };

    /** Adds {@code amount} (>= 0) to a counter. */
    void increment(String name, String help, Map<String, String> labels, double amount);

    /**
     * Records one observation (seconds for durations, in a name ending in {@code _seconds}) in a histogram with
     * fixed buckets, count and sum.
     */
    void observe(String name, String help, Map<String, String> labels, double value);

    /**
     * Binds the counter series {@code name} with {@code labels} (read once, here) and returns a handle that adds to
     * it: {@code counter(n, h, l).increment(a)} records what {@code increment(n, h, l, a)} records. Binding counts
     * as the name's first call (it fixes the type and label names); a series the runner refuses gives a handle that
     * drops everything. Keep handles for a plugin's lifetime (or a configuration's): binding is the costly part.
     *
     * <p>This default calls {@link #increment} on each record, so every implementation supports handles; the
     * runner's implementation resolves the series once.
     */
    default BoundCounter counter(String name, String help, Map<String, String> labels) {
        Map<String, String> bound = frozen(labels);
        return amount -> increment(name, help, bound, amount);
    }

    /**
     * Binds the histogram series {@code name} with {@code labels} (read once, here) and returns a handle that
     * records observations in it, as {@link #observe} would; otherwise as {@link #counter}.
     */
    default BoundHistogram histogram(String name, String help, Map<String, String> labels) {
        Map<String, String> bound = frozen(labels);
        return value -> observe(name, help, bound, value);
    }

    /** One counter series, bound by {@link #counter}. */
    @FunctionalInterface
    interface BoundCounter {

        /** Drops everything: what a refused series binds to. */
        BoundCounter NOOP = amount -> {};

        /** Adds {@code amount} (>= 0; anything else is dropped). */
        void increment(double amount);
    }

    /** One histogram series, bound by {@link #histogram}. */
    @FunctionalInterface
    interface BoundHistogram {

        /** Drops everything: what a refused series binds to. */
        BoundHistogram NOOP = value -> {};

        /** Records one observation (>= 0; anything else is dropped). */
        void observe(double value);
    }

    /**
     * An immutable copy, so a caller reusing its map cannot change a bound series; a map the copy refuses (a null
     * name or value) is kept as it is for the recording call to drop, as the rules say, instead of throwing here.
     */
    private static Map<String, String> frozen(Map<String, String> labels) {
        if (labels == null) {
            return null;
        }
        try {
            return Map.copyOf(labels);
        } catch (NullPointerException nullInside) {
            return labels;
        }
    }
}
