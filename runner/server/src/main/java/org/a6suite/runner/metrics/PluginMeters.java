package org.a6suite.runner.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.a6suite.plugin.PluginMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PluginMetrics} over a Micrometer {@link MeterRegistry}: what plugins (and the lane) record lands in the
 * runner's one registry, beside the runner's own meters, so the plugin API needs no metrics library.
 *
 * <p>{@code increment} feeds a counter; {@code observe} feeds a histogram whose classic buckets are chosen by the
 * name's unit suffix ({@link Buckets}). A counter's name should end in {@code _total} (Prometheus adds it
 * otherwise); a histogram's name in its unit ({@code _seconds}). Prometheus wants one type and one set of label names per metric
 * name, so the first call for a name fixes both.
 *
 * <p>{@link #counter} and {@link #histogram} resolve a series once (the same checks, the same cache) and hand back
 * a handle bound to the Micrometer meter, so recording on it skips the per-call lookup by name and label map.
 *
 * <p>A metrics call must never fail a request: an invalid name or label name, a null label, a negative or non-finite
 * amount, or a call that disagrees with the name's type or label names is dropped (logged once per name at WARN, as
 * it is a plugin bug) instead of throwing.
 */
public final class PluginMeters implements PluginMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(PluginMeters.class);
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** Label names Prometheus gives a meaning of its own to on histograms and summaries. */
    private static final Set<String> RESERVED_LABELS = Set.of("le", "quantile");
    /** Suffixes a histogram writes itself (and {@code _max}, Micrometer's gauge beside each histogram). */
    private static final List<String> HISTOGRAM_SUFFIXES =
            List.of("_total", "_bucket", "_count", "_sum", "_max", "_created", "_info");
    /** A counter's own suffix is {@code _total}; the other suffixes name other types' series. */
    private static final List<String> COUNTER_SUFFIXES =
            List.of("_bucket", "_count", "_sum", "_max", "_created", "_info");
    /** Stands for a (name, labels) pair that was refused, so it is refused again without another look. */
    private static final Object REFUSED = new Object();

    private static final String SECONDS = "_seconds";

    private final MeterRegistry registry;
    private final ConcurrentMap<Series, Object> meters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Family> families = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public PluginMeters(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    @Override
    public void increment(String name, String help, Map<String, String> labels, double amount) {
        if (!(amount >= 0) || Double.isInfinite(amount)) {
            return;
        }
        if (meter(name, help, labels, Kind.COUNTER) instanceof Counter counter) {
            counter.increment(amount);
        }
    }

    @Override
    public void observe(String name, String help, Map<String, String> labels, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            return;
        }
        Object meter = meter(name, help, labels, Kind.HISTOGRAM);
        if (meter instanceof Timer timer) {
            timer.record(Math.round(value * 1e9), TimeUnit.NANOSECONDS);
        } else if (meter instanceof DistributionSummary histogram) {
            histogram.record(value);
        }
    }

    /** Resolves the series once: the handle records on the Micrometer counter itself, no lookup per record. */
    @Override
    public PluginMetrics.BoundCounter counter(String name, String help, Map<String, String> labels) {
        if (meter(name, help, labels, Kind.COUNTER) instanceof Counter counter) {
            return amount -> {
                if (amount >= 0 && !Double.isInfinite(amount)) {
                    counter.increment(amount);
                }
            };
        }
        return PluginMetrics.BoundCounter.NOOP;
    }

    /** As {@link #counter}: a handle on the resolved timer or distribution summary. */
    @Override
    public PluginMetrics.BoundHistogram histogram(String name, String help, Map<String, String> labels) {
        Object meter = meter(name, help, labels, Kind.HISTOGRAM);
        if (meter instanceof Timer timer) {
            return value -> {
                if (value >= 0 && !Double.isInfinite(value)) {
                    timer.record(Math.round(value * 1e9), TimeUnit.NANOSECONDS);
                }
            };
        }
        if (meter instanceof DistributionSummary summary) {
            return value -> {
                if (value >= 0 && !Double.isInfinite(value)) {
                    summary.record(value);
                }
            };
        }
        return PluginMetrics.BoundHistogram.NOOP;
    }

    private Object meter(String name, String help, Map<String, String> labels, Kind kind) {
        if (name == null || labels == null) {
            return REFUSED;
        }
        Object meter = meters.get(new Series(name, labels));
        if (meter != null) {
            return meter;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                warnOnce(name, "a label name or value is null");
                return REFUSED;
            }
        }
        // A frozen copy is the key: the caller may reuse its map.
        return meters.computeIfAbsent(new Series(name, Map.copyOf(labels)), s -> create(s, help, kind));
    }

    private Object create(Series series, String help, Kind kind) {
        String problem = problem(series, kind);
        if (problem == null) {
            Family family = families.computeIfAbsent(
                    series.name(), n -> new Family(kind, series.labels().keySet()));
            if (family.kind != kind) {
                problem = "it is a " + family.kind.word + ", not a " + kind.word;
            } else if (!family.labelNames.equals(series.labels().keySet())) {
                problem = "labels " + series.labels().keySet() + " differ from its first labels " + family.labelNames;
            }
        }
        if (problem != null) {
            warnOnce(series.name(), problem);
            return REFUSED;
        }
        List<Tag> tags = new ArrayList<>(series.labels().size());
        series.labels().forEach((k, v) -> tags.add(Tag.of(k, v)));
        try {
            return switch (kind) {
                case COUNTER ->
                    Counter.builder(series.name()).description(help).tags(tags).register(registry);
                case HISTOGRAM -> histogram(series.name(), help, tags);
            };
        } catch (RuntimeException e) {
            // e.g. the name is taken by one of the runner's own meters of another type
            warnOnce(series.name(), e.getMessage());
            return REFUSED;
        }
    }

    /**
     * Seconds become a {@link Timer} (named without the suffix, which Micrometer adds back as the base unit):
     * Micrometer counts a distribution summary's bucket hits on values rounded up to whole numbers, right for token
     * counts or bytes but not for fractions of a second.
     */
    private Object histogram(String name, String help, List<Tag> tags) {
        if (name.endsWith(SECONDS)) {
            return Timer.builder(name.substring(0, name.length() - SECONDS.length()))
                    .description(help)
                    .tags(tags)
                    .serviceLevelObjectives(Buckets.SECONDS_DURATIONS)
                    .register(registry);
        }
        return DistributionSummary.builder(name)
                .description(help)
                .tags(tags)
                .serviceLevelObjectives(Buckets.forName(name))
                .register(registry);
    }

    private static String problem(Series series, Kind kind) {
        String name = series.name();
        if (!NAME.matcher(name).matches()) {
            return "the name is not a Prometheus metric name";
        }
        for (String suffix : kind == Kind.COUNTER ? COUNTER_SUFFIXES : HISTOGRAM_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return "a " + kind.word + " name must not end in " + suffix;
            }
        }
        for (String label : series.labels().keySet()) {
            if (!LABEL.matcher(label).matches() || label.startsWith("__") || RESERVED_LABELS.contains(label)) {
                return "label name " + label + " is not allowed";
            }
        }
        return null;
    }

    private void warnOnce(String name, String problem) {
        if (warned.size() < 1_000 && warned.add(name)) {
            LOG.warn("metric {} dropped: {} (further problems with this name are not logged)", name, problem);
        }
    }

    private enum Kind {
        COUNTER("counter"),
        HISTOGRAM("histogram");

        final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    private record Family(Kind kind, Set<String> labelNames) {
        Family {
            labelNames = Set.copyOf(labelNames);
        }
    }

    /** A name and its label values: the key of one time series. */
    private record Series(String name, Map<String, String> labels) {}
}
