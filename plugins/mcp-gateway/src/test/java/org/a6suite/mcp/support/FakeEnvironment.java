package org.a6suite.mcp.support;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.plugin.PluginMetrics;

/** A runner environment for plugin-level tests: a movable clock, a real timer, recorded outcomes and metrics. */
public final class FakeEnvironment implements PluginEnvironment, AutoCloseable {

    public final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    public final Map<String, String> env = new ConcurrentHashMap<>();
    public final List<OutcomeRecorder.Outcome> outcomes = new CopyOnWriteArrayList<>();
    public final Map<String, Double> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-env-timer");
        t.setDaemon(true);
        return t;
    });

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
                counters.merge(name + new java.util.TreeMap<>(labels), amount, Double::sum);
            }

            @Override
            public void observe(String name, String help, Map<String, String> labels, double value) {
                counters.merge(name + "_count" + new java.util.TreeMap<>(labels), 1.0, Double::sum);
            }
        };
    }

    public double counter(String name, Map<String, String> labels) {
        return counters.getOrDefault(name + new java.util.TreeMap<>(labels), 0.0);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
