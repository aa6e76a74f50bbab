package org.a6suite.runner.plugins;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.IoLoops;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.plugin.PluginMetrics;

/** The runner's {@link PluginEnvironment}: shared services created once by the server. */
public record DefaultPluginEnvironment(
        Clock clock,
        ScheduledExecutorService scheduler,
        Executor blockingExecutor,
        Function<String, String> environment,
        OutcomeRecorder outcomes,
        PluginMetrics metrics,
        HealthSnapshots health,
        Optional<IoLoops> ioLoops)
        implements PluginEnvironment {

    public DefaultPluginEnvironment {
        requireNonNull(clock, "clock");
        requireNonNull(scheduler, "scheduler");
        requireNonNull(blockingExecutor, "blockingExecutor");
        requireNonNull(environment, "environment");
        requireNonNull(outcomes, "outcomes");
        requireNonNull(metrics, "metrics");
        requireNonNull(health, "health");
        requireNonNull(ioLoops, "ioLoops");
    }

    /** An environment that offers no event loops. */
    public DefaultPluginEnvironment(
            Clock clock,
            ScheduledExecutorService scheduler,
            Executor blockingExecutor,
            Function<String, String> environment,
            OutcomeRecorder outcomes,
            PluginMetrics metrics,
            HealthSnapshots health) {
        this(clock, scheduler, blockingExecutor, environment, outcomes, metrics, health, Optional.empty());
    }

    @Override
    public Optional<String> getenv(String name) {
        return Optional.ofNullable(environment.apply(requireNonNull(name, "name")));
    }
}
