package org.a6suite.runner.spi;

import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginMetrics;

/**
 * Where runner-side services (the health reporter, tests) attach to a running runner: every outcome plugins record
 * through {@code PluginEnvironment.outcomes()} reaches each registered listener, and the metrics store is shared.
 *
 * <p>An interface in a module of its own so that an extension compiles against the plugin API and this SPI only,
 * never against the runner's transport (Netty, epoll, FlatBuffers). The runner hands its implementation to
 * {@link RunnerExtension#start(RunnerHooks)}.
 */
public interface RunnerHooks {

    /** Adds a listener for every recorded outcome; it must be fast and must not block. */
    void addOutcomeListener(OutcomeRecorder listener);

    /** Removes a listener added before; unknown listeners are ignored. */
    void removeOutcomeListener(OutcomeRecorder listener);

    /**
     * Publishes the latest health view (the health reporter does, every interval); plugins read it through
     * {@code PluginEnvironment.health()}.
     */
    void publishHealth(HealthSnapshots snapshots);

    /** The runner's metrics store (the one {@code GET /metrics} renders). */
    PluginMetrics metrics();
}
