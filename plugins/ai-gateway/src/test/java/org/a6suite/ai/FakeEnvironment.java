package org.a6suite.ai;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.plugin.PluginMetrics;

/** A plugin environment for tests: a real timer thread, a fixed environment, recorded outcomes and metrics. */
final class FakeEnvironment implements PluginEnvironment, AutoCloseable {

    record Metric(String name, Map<String, String> labels, double value) {
    }

    final List<OutcomeRecorder.Outcome> outcomes = new CopyOnWriteArrayList<>();
    final List<Metric> counters = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-scheduler");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> env;

    FakeEnvironment(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
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
            }
        };
    }

    double sum(String name, Map<String, String> match) {
        return counters.stream().filter(m -> m.name().equals(name))
                .filter(m -> m.labels().entrySet().containsAll(match.entrySet())).mapToDouble(Metric::value).sum();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
