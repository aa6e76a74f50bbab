package org.a6suite.ai.internal;

import java.util.Map;
import org.a6suite.plugin.PluginMetrics;

/**
 * One metric series of the gateway (a name and a fixed label set) with its handle from the runner's metrics,
 * bound on first use ({@link PluginMetrics#counter}, {@link PluginMetrics#histogram}) so that recording skips the
 * runner's lookup by name and label map. Binding on first use, not at construction, keeps series that never
 * happen out of the exposition. A series remembers which sink it was bound to: another sink (another plugin
 * instance, a test's environment) binds again.
 */
abstract sealed class Series<H> permits Series.Counter, Series.Histogram {

    final String name;
    final String help;
    final Map<String, String> labels;
    private volatile Binding<H> binding;

    private record Binding<H>(PluginMetrics metrics, H handle) {}

    private Series(String name, String help, Map<String, String> labels) {
        this.name = name;
        this.help = help;
        this.labels = Map.copyOf(labels);
    }

    final H handle(PluginMetrics metrics) {
        Binding<H> current = binding;
        if (current == null || current.metrics() != metrics) {
            // A race binds twice: both handles record on the one series the runner keeps per name and labels.
            current = new Binding<>(metrics, bind(metrics));
            binding = current;
        }
        return current.handle();
    }

    abstract H bind(PluginMetrics metrics);

    /** A counter series. */
    static final class Counter extends Series<PluginMetrics.BoundCounter> {

        Counter(String name, String help, Map<String, String> labels) {
            super(name, help, labels);
        }

        void increment(PluginMetrics metrics, double amount) {
            handle(metrics).increment(amount);
        }

        @Override
        PluginMetrics.BoundCounter bind(PluginMetrics metrics) {
            return metrics.counter(name, help, labels);
        }
    }

    /** A histogram series. */
    static final class Histogram extends Series<PluginMetrics.BoundHistogram> {

        Histogram(String name, String help, Map<String, String> labels) {
            super(name, help, labels);
        }

        void observe(PluginMetrics metrics, double value) {
            handle(metrics).observe(value);
        }

        @Override
        PluginMetrics.BoundHistogram bind(PluginMetrics metrics) {
            return metrics.histogram(name, help, labels);
        }
    }
}
