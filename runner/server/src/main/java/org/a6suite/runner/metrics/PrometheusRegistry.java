package org.a6suite.runner.metrics;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.regex.Pattern;

import org.HdrHistogram.ConcurrentDoubleHistogram;
import org.HdrHistogram.DoubleHistogram;

import org.a6suite.plugin.PluginMetrics;

/**
 * The runner's metrics store: counters and summaries recorded by plugins (and the runner itself) through
 * {@link PluginMetrics}, rendered in the Prometheus text exposition format 0.0.4.
 *
 * <p>Summaries keep count, sum and the 0.5, 0.9 and 0.99 quantiles since start in an HdrHistogram with 3 significant
 * digits. Invalid names, label names or negative amounts are ignored rather than thrown: a metrics call must never
 * fail a request.
 */
public final class PrometheusRegistry implements PluginMetrics {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final double[] QUANTILES = {0.5, 0.9, 0.99};

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final List<TextCollector> collectors = new CopyOnWriteArrayList<>();

    /** Something that appends its own, already formatted, families to the exposition. */
    @FunctionalInterface
    public interface TextCollector {
        void collect(StringBuilder out);
    }

    /** Adds a collector rendered after the recorded families. */
    public void register(TextCollector collector) {
        collectors.add(requireNonNull(collector, "collector"));
    }

    @Override
    public void increment(String name, String help, Map<String, String> labels, double amount) {
        if (!(amount >= 0) || !valid(name, labels)) {
            return;
        }
        Family family = families.computeIfAbsent(name, n -> new Family(n, help, Kind.COUNTER));
        if (family.kind != Kind.COUNTER) {
            return;
        }
        ((DoubleAdder) family.series.computeIfAbsent(key(labels), k -> new DoubleAdder())).add(amount);
    }

    @Override
    public void observe(String name, String help, Map<String, String> labels, double value) {
        if (!(value >= 0) || Double.isInfinite(value) || !valid(name, labels)) {
            return;
        }
        Family family = families.computeIfAbsent(name, n -> new Family(n, help, Kind.SUMMARY));
        if (family.kind != Kind.SUMMARY) {
            return;
        }
        ((Summary) family.series.computeIfAbsent(key(labels), k -> new Summary())).record(value);
    }

    /** The whole exposition. */
    public String render() {
        StringBuilder out = new StringBuilder(1024);
        new TreeMap<>(families).values().forEach(f -> f.render(out));
        for (TextCollector c : collectors) {
            c.collect(out);
        }
        return out.toString();
    }

    private static boolean valid(String name, Map<String, String> labels) {
        if (name == null || !NAME.matcher(name).matches() || labels == null) {
            return false;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || !LABEL.matcher(e.getKey()).matches()
                    || e.getKey().startsWith("__") || e.getKey().equals("quantile")) {
                return false;
            }
        }
        return true;
    }

    /** Labels sorted by name and rendered once, as the series key. */
    private static String key(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
        }
        return sb.toString();
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String helpText(String help) {
        return (help == null ? "" : help).replace("\\", "\\\\").replace("\n", "\\n");
    }

    private enum Kind { COUNTER, SUMMARY }

    private static final class Family {
        final String name;
        final String help;
        final Kind kind;
        final Map<String, Object> series = new ConcurrentHashMap<>();

        Family(String name, String help, Kind kind) {
            this.name = name;
            this.help = help;
            this.kind = kind;
        }

        void render(StringBuilder out) {
            out.append("# HELP ").append(name).append(' ').append(helpText(help)).append('\n');
            out.append("# TYPE ").append(name).append(' ')
                    .append(kind == Kind.COUNTER ? "counter" : "summary").append('\n');
            for (Map.Entry<String, Object> e : new TreeMap<>(series).entrySet()) {
                String labels = e.getKey();
                if (e.getValue() instanceof DoubleAdder adder) {
                    sample(out, name, labels, adder.sum());
                } else if (e.getValue() instanceof Summary summary) {
                    summary.render(out, name, labels);
                }
            }
        }
    }

    private static final class Summary {
        private final DoubleHistogram histogram = new ConcurrentDoubleHistogram(3);
        private final DoubleAdder sum = new DoubleAdder();

        void record(double value) {
            sum.add(value);
            histogram.recordValue(value);
        }

        void render(StringBuilder out, String name, String labels) {
            long count = histogram.getTotalCount();
            for (double q : QUANTILES) {
                String l = (labels.isEmpty() ? "" : labels + ",") + "quantile=\"" + q + "\"";
                sample(out, name, l, count == 0 ? Double.NaN : histogram.getValueAtPercentile(q * 100));
            }
            sample(out, name + "_sum", labels, sum.sum());
            sample(out, name + "_count", labels, count);
        }
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(format(value)).append('\n');
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
