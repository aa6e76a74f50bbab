package org.a6suite.bench.hotpath;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.runner.metrics.PluginMeters;
import org.a6suite.runner.plugins.DefaultPluginEnvironment;
import org.a6suite.runner.plugins.NettyIoLoops;

/**
 * The services the runner gives a plugin, as the runner builds them (its Prometheus registry behind
 * {@link PluginMeters}), without the runner's socket, codec and worker hops: what a per-call driver needs to call a
 * plugin's {@code onRequest} directly and see the plugin's own cost. Like the runner, it offers its I/O loops (two
 * epoll loops, the runner's default) to the plugin, and a driver starts each call on one of them
 * ({@link #loops()}), as the runner calls a plugin on the loop that read the call.
 */
final class RunnerLikeEnvironment implements AutoCloseable {

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> daemon(r, "sched"));
    private final ExecutorService blocking = Executors.newCachedThreadPool(r -> daemon(r, "blocking"));
    private final EventLoopGroup io =
            new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("bench-io", true), EpollIoHandler.newFactory());
    private final PluginEnvironment environment;

    RunnerLikeEnvironment(Map<String, String> variables) {
        environment = new DefaultPluginEnvironment(
                Clock.systemUTC(),
                scheduler,
                blocking,
                variables::get,
                OutcomeRecorder.NOOP,
                new PluginMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)),
                HealthSnapshots.NONE,
                Optional.of(new NettyIoLoops(io)));
    }

    /** The loops a driver starts calls on, one per call in flight in turn. */
    List<Executor> loops() {
        List<Executor> loops = new ArrayList<>();
        for (EventExecutor loop : io) {
            loops.add(loop);
        }
        return loops;
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
        io.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }
}
