package org.a6suite.runner;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginMetrics;
import org.a6suite.runner.spi.RunnerHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's {@link RunnerHooks}: forwards every outcome plugins record to the listeners registered at the time of
 * the call, and holds the latest published health view. Obtain it from {@link RunnerServer#hooks()} or, for jars on
 * the class path, implement {@link org.a6suite.runner.spi.RunnerExtension}.
 */
final class DefaultRunnerHooks implements RunnerHooks {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultRunnerHooks.class);

    private final List<OutcomeRecorder> listeners = new CopyOnWriteArrayList<>();
    private volatile HealthSnapshots health = HealthSnapshots.NONE;
    /** What plugins get: always reads the latest published snapshots, so plugins started earlier see them too. */
    private final HealthSnapshots healthView = key -> health.upstream(key);

    private final PluginMetrics metrics;
    private final OutcomeRecorder forwarder = this::forward;

    DefaultRunnerHooks(PluginMetrics metrics) {
        this.metrics = requireNonNull(metrics, "metrics");
    }

    @Override
    public void addOutcomeListener(OutcomeRecorder listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    @Override
    public void removeOutcomeListener(OutcomeRecorder listener) {
        listeners.remove(listener);
    }

    @Override
    public void publishHealth(HealthSnapshots snapshots) {
        this.health = requireNonNull(snapshots, "snapshots");
    }

    HealthSnapshots healthView() {
        return healthView;
    }

    @Override
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
