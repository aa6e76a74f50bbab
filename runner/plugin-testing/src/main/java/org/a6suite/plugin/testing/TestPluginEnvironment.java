package org.a6suite.plugin.testing;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.plugin.PluginMetrics;

/**
 * The runner's services as a plugin test needs them: a clock the test chooses, a real timer thread, environment
 * variables the test sets, and the outcomes and metrics the plugin publishes, recorded for assertions. Close it after
 * the test (it stops the timer).
 */
public final class TestPluginEnvironment implements PluginEnvironment, AutoCloseable {

    /** One published metric value: a counter increment or a histogram observation. */
    public record Metric(String name, Map<String, String> labels, double value) {
        public Metric {
            labels = Map.copyOf(labels);
        }
    }

    /** Outbound-call outcomes the plugin recorded for the health reporter, in order. */
    public final List<OutcomeRecorder.Outcome> outcomes = new CopyOnWriteArrayList<>();
    /** Counter increments, in order. */
    public final List<Metric> counters = new CopyOnWriteArrayList<>();
    /** Histogram observations, in order. */
    public final List<Metric> observations = new CopyOnWriteArrayList<>();

    private final Clock clock;
    private final Map<String, String> env = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-plugin-environment-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile HealthSnapshots health = HealthSnapshots.NONE;

    /** An environment on {@code clock} (a {@link ManualClock}, or the system clock for tests with real I/O). */
    public TestPluginEnvironment(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** An environment on the system UTC clock with the given environment variables. */
    public static TestPluginEnvironment withEnv(Map<String, String> variables) {
        TestPluginEnvironment environment = new TestPluginEnvironment(Clock.systemUTC());
        environment.env.putAll(variables);
        return environment;
    }

    /** Sets (or replaces) an environment variable the plugin reads through {@link #getenv}. */
    public TestPluginEnvironment setenv(String name, String value) {
        env.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
        return this;
    }

    /** Replaces what {@link #health()} answers, as the runner's health reporter would. */
    public void health(HealthSnapshots snapshots) {
        this.health = requireNonNull(snapshots, "snapshots");
    }

    /** The sum of the increments of counter {@code name} whose labels include every entry of {@code match}. */
    public double sum(String name, Map<String, String> match) {
        return total(counters, name, match);
    }

    /** How many observations of histogram {@code name} have labels that include every entry of {@code match}. */
    public long observed(String name, Map<String, String> match) {
        return observations.stream().filter(m -> matches(m, name, match)).count();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public Executor blockingExecutor() {
        return Runnable::run;
    }

    @Override
    public Optional<String> getenv(String name) {
        return Optional.ofNullable(env.get(name));
    }

    @Override
    public OutcomeRecorder outcomes() {
        return outcomes::add;
    }

    @Override
    public PluginMetrics metrics() {
        return new PluginMetrics() {
            @Override
            public void increment(String name, String help, Map<String, String> labels, double amount) {
                counters.add(new Metric(name, labels, amount));
            }

            @Override
            public void observe(String name, String help, Map<String, String> labels, double value) {
                observations.add(new Metric(name, labels, value));
            }
        };
    }

    @Override
    public HealthSnapshots health() {
        return health;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private static double total(List<Metric> metrics, String name, Map<String, String> match) {
        return metrics.stream()
                .filter(m -> matches(m, name, match))
                .mapToDouble(Metric::value)
                .sum();
    }

    private static boolean matches(Metric metric, String name, Map<String, String> match) {
        return metric.name().equals(name) && metric.labels().entrySet().containsAll(match.entrySet());
    }
}
