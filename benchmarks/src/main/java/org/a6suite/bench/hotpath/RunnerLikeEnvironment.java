package org.a6suite.bench.hotpath;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.runner.metrics.PluginMeters;
import org.a6suite.runner.plugins.DefaultPluginEnvironment;

/**
 * The services the runner gives a plugin, as the runner builds them (its Prometheus registry behind
 * {@link PluginMeters}), without the runner's socket, codec and worker hops: what a per-call driver needs to call a
 * plugin's {@code onRequest} directly and see the plugin's own cost.
 */
final class RunnerLikeEnvironment implements AutoCloseable {

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> daemon(r, "sched"));
    private final ExecutorService blocking = Executors.newCachedThreadPool(r -> daemon(r, "blocking"));
    private final PluginEnvironment environment;

    RunnerLikeEnvironment(Map<String, String> variables) {
        environment = new DefaultPluginEnvironment(
                Clock.systemUTC(),
                scheduler,
                blocking,
                variables::get,
                OutcomeRecorder.NOOP,
                new PluginMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)),
                HealthSnapshots.NONE);
    }

    PluginEnvironment environment() {
        return environment;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, "bench-" + name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        blocking.shutdownNow();
    }
}
