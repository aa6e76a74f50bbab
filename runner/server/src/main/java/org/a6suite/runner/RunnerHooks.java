package org.a6suite.runner;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where runner-side services (the health reporter, tests) attach to a running runner: every outcome plugins record
 * through {@code PluginEnvironment.outcomes()} is forwarded to each registered listener, and the metrics store is
 * shared. Obtain it from {@link RunnerServer#hooks()} or, for jars on the class path, implement
 * {@link RunnerExtension}.
 */
public final class RunnerHooks {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerHooks.class);

    private final List<OutcomeRecorder> listeners = new CopyOnWriteArrayList<>();
    private volatile HealthSnapshots health = HealthSnapshots.NONE;
    /** What plugins get: always reads the latest published snapshots, so plugins started earlier see them too. */
    private final HealthSnapshots healthView = key -> health.upstream(key);
    private final PluginMetrics metrics;
    private final OutcomeRecorder forwarder = this::forward;

    RunnerHooks(PluginMetrics metrics) {
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** Adds a listener for every recorded outcome; it must be fast and must not block. */
    public void addOutcomeListener(OutcomeRecorder listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    public void removeOutcomeListener(OutcomeRecorder listener) {
        listeners.remove(listener);
    }

    /**
     * Publishes the latest health view (the health reporter does, every interval); plugins read it through
     * {@code PluginEnvironment.health()}.
     */
    public void publishHealth(HealthSnapshots snapshots) {
        this.health = requireNonNull(snapshots, "snapshots");
    }

    HealthSnapshots healthView() {
        return healthView;
    }

    /** The runner's metrics store (the one {@code GET /metrics} renders). */
    public PluginMetrics metrics() {
        return metrics;
    }

    /** The recorder handed to plugins; forwards to the listeners registered at the time of each call. */
    OutcomeRecorder outcomeRecorder() {
        return forwarder;
    }

    private void forward(OutcomeRecorder.Outcome outcome) {
        for (OutcomeRecorder listener : listeners) {
            try {
                listener.record(outcome);
            } catch (RuntimeException e) {
                // A broken listener must not fail the plugin's call.
                LOG.warn("outcome listener {} failed", listener.getClass().getName(), e);
            }
        }
    }
}
