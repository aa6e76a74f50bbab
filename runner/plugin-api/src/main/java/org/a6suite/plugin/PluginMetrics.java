package org.a6suite.plugin;

import java.util.Map;

/**
 * A minimal metrics sink, so plugins need no metrics library. The runner exposes what is recorded here in
 * Prometheus text format. Names follow Prometheus conventions: counters end in {@code _total}
 * ({@code a6_ai_tokens_total}), histograms in their unit ({@code a6_ai_time_to_first_token_seconds}). The first call
 * for a name fixes its type and label names. Label values must come from a small set (provider, model, tool), never
 * from request data. A call the runner cannot record (invalid name, negative amount...) is dropped, never thrown.
 */
public interface PluginMetrics {

    PluginMetrics NOOP = new PluginMetrics() {
        @Override
        public void increment(String name, String help, Map<String, String> labels, double amount) {}

        @Override
        public void observe(String name, String help, Map<String, String> labels, double value) {}
    };

    /** Adds {@code amount} (>= 0) to a counter. */
    void increment(String name, String help, Map<String, String> labels, double amount);

    /**
     * Records one observation (seconds for durations, in a name ending in {@code _seconds}) in a histogram with
     * fixed buckets, count and sum.
     */
    void observe(String name, String help, Map<String, String> labels, double value);
}
