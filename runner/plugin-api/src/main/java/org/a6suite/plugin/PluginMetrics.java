package org.a6suite.plugin;

import java.util.Map;

/**
 * A minimal metrics sink, so plugins need no metrics library. The runner exposes what is recorded here in
 * Prometheus text format. Names follow Prometheus conventions ({@code a6_ai_tokens_total}); label values must come
 * from a small set (provider, model, tool), never from request data.
 */
public interface PluginMetrics {

    PluginMetrics NOOP = new PluginMetrics() {
        @Override
        public void increment(String name, String help, Map<String, String> labels, double amount) {
        }

        @Override
        public void observe(String name, String help, Map<String, String> labels, double value) {
        }
    };

    /** Adds {@code amount} (>= 0) to a counter. */
    void increment(String name, String help, Map<String, String> labels, double amount);

    /** Records one observation (seconds for durations) in a summary with count, sum and quantiles. */
    void observe(String name, String help, Map<String, String> labels, double value);
}
