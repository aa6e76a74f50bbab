package org.a6suite.runner;

import static java.util.Objects.requireNonNull;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.a6suite.plugin.Plugin;
import org.a6suite.runner.chain.ChainExecutor;
import org.a6suite.runner.chain.InlineWatchdog;
import org.a6suite.runner.conf.ChainPreparer;
import org.a6suite.runner.conf.ConfTokenStore;
import org.a6suite.runner.config.ApisixWorkerUser;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.config.SocketOwnerPolicy;
import org.a6suite.runner.lane.HandoffSigner;
import org.a6suite.runner.lane.HandoffStamper;
import org.a6suite.runner.lane.LaneMetrics;
import org.a6suite.runner.lane.LaneServer;
import org.a6suite.runner.lane.LaneServices;
import org.a6suite.runner.logging.RateLimitedLog;
import org.a6suite.runner.metrics.MetricsHttpServer;
import org.a6suite.runner.metrics.PluginMeters;
import org.a6suite.runner.metrics.RunnerMetrics;
import org.a6suite.runner.plugins.BlockingPool;
import org.a6suite.runner.plugins.DefaultPluginEnvironment;
import org.a6suite.runner.plugins.NettyIoLoops;
import org.a6suite.runner.plugins.PluginRegistry;
import org.a6suite.runner.spi.RunnerExtension;
import org.a6suite.runner.spi.RunnerHooks;
import org.a6suite.runner.transport.A6SocketServer;
import org.a6suite.runner.transport.BufferBudget;
import org.a6suite.runner.transport.ConnectionServices;
import org.a6suite.runner.transport.InFlightCalls;
import org.a6suite.runner.transport.NativeTransport;
import org.a6suite.runner.transport.SocketFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running a6 runner: the unix-socket server APISIX talks to, the plugins it serves, and their shared services.
 * {@link org.a6suite.runner.Main} starts one from the environment; tests and the APISIX emulator start one in-process:
 *
 * <pre>{@code
 * try (RunnerServer runner = RunnerServer.start(RunnerConfig.builder(socket).build(), List.of(new MyPlugin()))) {
 *     // connect to runner.socketPath() as APISIX would
 * }
 * }</pre>
 *
 * <p>The server calls {@link Plugin#start} on every plugin before it listens and {@link Plugin#close} when it
 * closes. {@link #close()} is graceful and bounded by {@link RunnerOptions#shutdownBudget()}.
 */
public final class RunnerServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerServer.class);
    /** Kept back from the shutdown budget for closing connections and event loops after the drain. */
    private static final Duration CLOSE_RESERVE = Duration.ofMillis(200);

    private final RunnerConfig config;
    private final RunnerOptions options;
    private final PluginRegistry registry;
    private final NativeTransport transport;
    private final EventLoopGroup group;
    private final BlockingPool blocking;
    private final ScheduledExecutorService scheduler;
    private final InlineWatchdog watchdog;
    private final ConfTokenStore tokens;
    private final InFlightCalls inFlight;
    private final BufferBudget budget;
    private final RunnerMetrics runnerMetrics;
    private final PrometheusMeterRegistry meters;
    private final PluginMeters metrics;
    private final DefaultRunnerHooks hooks;
    private final List<Plugin<?>> started = new ArrayList<>();
    private final List<RunnerExtension> extensions = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final HandoffSigner handoffSigner;
    private final LaneMetrics laneMetrics;
    private A6SocketServer socketServer;
    private MetricsHttpServer metricsServer;
    private LaneServer laneServer;

    private RunnerServer(
            RunnerConfig config, RunnerOptions options, PluginRegistry registry, NativeTransport transport) {
        this.config = config;
        this.options = options;
        this.registry = registry;
        this.transport = transport;
        this.group = new MultiThreadIoEventLoopGroup(
                config.workerThreads(), new DefaultThreadFactory("a6-io"), transport.ioHandlerFactory());
        this.blocking = new BlockingPool(config.blockingThreads());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("a6-scheduler", true));
        // Half the slow-call threshold: an adaptive plugin stuck on an event loop is demoted within 1.5x of it.
        this.watchdog = new InlineWatchdog(scheduler, ChainPreparer.DEFAULT_SLOW_NANOS / 2_000_000L, System::nanoTime);
        this.tokens = new ConfTokenStore(
                ConfTokenStore.retentionFor(config.confExpireTime()),
                options.ticker(),
                ConfTokenStore.DEFAULT_MAX_TOKENS,
                1 + (new SecureRandom().nextLong() & 0x7FFF_FFFFL));
        this.inFlight = new InFlightCalls();
        this.budget = new BufferBudget(config.limits().maxBufferedBytes());
        // One registry for the runner's, the lane's and the plugins' meters, scraped on GET /metrics.
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new PluginMeters(meters);
        this.runnerMetrics = new RunnerMetrics(meters, budget::reserved, options.ticker()::read);
        this.laneMetrics = new LaneMetrics(meters, metrics, registry.names());
        // A key of this process only: handoffs stamped by another runner (or an earlier one) never verify.
        this.handoffSigner = HandoffSigner.withRandomKey(options.clock(), config.laneHandoffTtl());
        this.hooks = new DefaultRunnerHooks(metrics);
    }

    /** Starts a runner with default {@link RunnerOptions}. */
    public static RunnerServer start(RunnerConfig config, List<? extends Plugin<?>> plugins) {
        return start(config, plugins, RunnerOptions.defaults());
    }

    /**
     * Starts the plugins, binds the socket (removing a stale one), sets its permissions, and serves.
     *
     * @throws RunnerStartException when epoll is unavailable (io_uring falls back to epoll), a plugin name is duplicated or a plugin's start fails,
     *                              or the socket path is unusable; everything started so far is closed again
     */
    public static RunnerServer start(RunnerConfig config, List<? extends Plugin<?>> plugins, RunnerOptions options) {
        requireNonNull(config, "config");
        requireNonNull(plugins, "plugins");
        requireNonNull(options, "options");
        NativeTransport transport = NativeTransport.select(config.transport(), LOG::warn);
        PluginRegistry registry = PluginRegistry.of(plugins);
        RunnerServer server = new RunnerServer(config, options, registry, transport);
        try {
            server.startUp();
        } catch (RuntimeException | Error e) {
            server.shutDown(Duration.ZERO);
            throw e;
        }
        return server;
    }

    private void startUp() {
        DefaultPluginEnvironment environment = new DefaultPluginEnvironment(
                options.clock(),
                scheduler,
                blocking,
                options.environment(),
                hooks.outcomeRecorder(),
                metrics,
                hooks.healthView(),
                // The lane's loops: a plugin's outbound client on them keeps a lane request on one thread.
                Optional.of(new NettyIoLoops(group)));
        for (Plugin<?> plugin : registry.plugins()) {
            try {
                plugin.start(environment);
            } catch (RuntimeException | LinkageError e) {
                throw new RunnerStartException(
                        "plugin " + plugin.name() + " (" + plugin.getClass().getName() + ") failed to start: " + e, e);
            }
            started.add(plugin);
        }
        ConnectionServices services = new ConnectionServices(
                tokens,
                new ChainPreparer(registry::find),
                new ChainExecutor(blocking, watchdog),
                blocking,
                inFlight,
                runnerMetrics,
                options.idleTimeout(),
                new HandoffStamper(handoffSigner),
                new RateLimitedLog(
                        LoggerFactory.getLogger("org.a6suite.runner.transport"),
                        RateLimitedLog.DEFAULT_INTERVAL,
                        options.ticker()::read),
                config.limits(),
                budget);
        SocketOwnerPolicy.Decision ownership = socketOwnership();
        socketServer = A6SocketServer.bind(
                config.socketPath(),
                config.socketPermissions(),
                ownership instanceof SocketOwnerPolicy.Decision.Chown c ? Optional.of(c.owner()) : Optional.empty(),
                group,
                services);
        if (ownership instanceof SocketOwnerPolicy.Decision.Chown c && c.warn()) {
            LOG.warn("socket {} given to {}: {}", config.socketPath(), c.owner(), c.reason());
        }
        if (config.laneAddress().isPresent()) {
            LaneServices lane = new LaneServices(
                    tokens,
                    handoffSigner,
                    blocking,
                    laneMetrics,
                    new InFlightCalls(),
                    config.laneMaxBodyBytes(),
                    options.idleTimeout());
            try {
                laneServer = LaneServer.bind(config.laneAddress().get(), group, lane);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunnerStartException("interrupted while binding the HTTP lane");
            } catch (RuntimeException e) {
                throw new RunnerStartException(
                        RunnerConfig.LANE_ADDRESS + ": " + config.laneAddress().get() + " cannot be bound: " + e, e);
            }
        }
        if (config.metricsAddress().isPresent()) {
            try {
                metricsServer = MetricsHttpServer.start(config.metricsAddress().get(), group, meters::scrape);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunnerStartException("interrupted while binding the metrics endpoint");
            } catch (RuntimeException e) {
                throw new RunnerStartException(
                        RunnerConfig.METRICS_ADDRESS + ": "
                                + config.metricsAddress().get() + " cannot be bound: " + e,
                        e);
            }
        }
        for (RunnerExtension extension : options.extensions()) {
            try {
                extension.start(hooks);
            } catch (RuntimeException | LinkageError e) {
                throw new RunnerStartException("runner extension " + extension.name() + " failed to start: " + e, e);
            }
            extensions.add(extension);
        }
        LOG.info(
                "a6-runner listening on unix:{} (mode {}, owner {}, {} {} I/O threads [{}]{}), serving {} plugins: {}",
                config.socketPath(),
                String.format("%04o", config.socketMode()),
                ownerText(ownership),
                config.workerThreads(),
                transport.kind().text(),
                transport.reason(),
                metricsServer == null ? "" : ", metrics on http://" + hostPort(metricsServer.address()) + "/metrics",
                registry.names().size(),
                registry.names().isEmpty() ? "(none)" : String.join(", ", registry.names()));
        if (laneServer != null) {
            LOG.info(
                    "a6-runner HTTP lane listening on http://{} (handoffs valid {} s, bodies up to {} bytes)",
                    hostPort(laneServer.address()),
                    config.laneHandoffTtl().toSeconds(),
                    config.laneMaxBodyBytes());
        }
    }

    /** Who gets the socket file: A6_SOCKET_OWNER, else nginx's worker user when root, else the runner's user. */
    private SocketOwnerPolicy.Decision socketOwnership() {
        boolean root = SocketFile.runningAsRoot();
        SocketOwnerPolicy.WorkerUser workerUser = root && config.socketOwner().isEmpty()
                ? ApisixWorkerUser.read(
                        ApisixWorkerUser.confDir(config.socketPath(), Path.of("")), options.environment())
                : new SocketOwnerPolicy.WorkerUser.NotConfigured("(not read)");
        return SocketOwnerPolicy.decide(root, config.socketOwner(), workerUser);
    }

    private static String ownerText(SocketOwnerPolicy.Decision decision) {
        return switch (decision) {
            case SocketOwnerPolicy.Decision.Keep k -> "unchanged: " + k.reason();
            case SocketOwnerPolicy.Decision.Chown c -> c.owner() + ": " + c.reason();
        };
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    public Path socketPath() {
        return config.socketPath();
    }

    public RunnerConfig config() {
        return config;
    }

    /** Where {@code GET /metrics} is served (with the real port when port 0 was configured). */
    public Optional<InetSocketAddress> metricsAddress() {
        return Optional.ofNullable(metricsServer).map(MetricsHttpServer::address);
    }

    /**
     * Where the HTTP lane listens (with the real port when port 0 was configured); empty when the lane is off
     * ({@code A6_LANE_ADDRESS=off}, or no lane address given to the builder).
     */
    public Optional<InetSocketAddress> laneAddress() {
        return Optional.ofNullable(laneServer).map(LaneServer::address);
    }

    /** The lane's metrics (open streams and the like). */
    public LaneMetrics laneMetrics() {
        return laneMetrics;
    }

    /** Where services attach outcome listeners and find the metrics store. */
    public RunnerHooks hooks() {
        return hooks;
    }

    /** The plugin names served, in discovery order. */
    public List<String> pluginNames() {
        return registry.names();
    }

    /** The Prometheus exposition, as {@code GET /metrics} would answer. */
    public String renderMetrics() {
        return meters.scrape();
    }

    /** The runner's own call counters. */
    public RunnerMetrics runnerMetrics() {
        return runnerMetrics;
    }

    /** Calls received and not yet answered. */
    public int inFlightCalls() {
        return inFlight.count();
    }

    /**
     * Graceful, bounded stop: stop accepting (socket and lane), let in-flight calls and lane exchanges (streams
     * included) finish within the shutdown budget, close every connection (a stream still open then ends without
     * its last chunk), close extensions and plugins, remove the socket file. Idempotent.
     */
    @Override
    public void close() {
        shutDown(options.shutdownBudget());
    }

    private void shutDown(Duration budget) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started0 = System.nanoTime();
        long deadline = started0 + budget.minus(CLOSE_RESERVE).toNanos();
        if (laneServer != null) {
            laneServer.stopAccepting();
        }
        if (socketServer != null) {
            socketServer.stopAccepting();
            try {
                if (deadline > System.nanoTime()
                        && !inFlight.awaitDrained(Duration.ofNanos(deadline - System.nanoTime()))) {
                    LOG.warn("shutting down with {} calls still in flight", inFlight.count());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socketServer.closeConnections(50);
        }
        if (laneServer != null) {
            try {
                if (deadline > System.nanoTime()
                        && !laneServer.awaitIdle(Duration.ofNanos(deadline - System.nanoTime()))) {
                    LOG.warn("shutting down with {} lane requests or streams still open", laneServer.activeExchanges());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            laneServer.closeConnections(50);
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        for (RunnerExtension extension : extensions) {
            try {
                extension.close();
            } catch (RuntimeException e) {
                LOG.warn("runner extension {} failed to close", extension.name(), e);
            }
        }
        for (Plugin<?> plugin : started) {
            try {
                plugin.close();
            } catch (RuntimeException e) {
                LOG.warn("plugin {} failed to close", plugin.name(), e);
            }
        }
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).awaitUninterruptibly(150);
        blocking.close();
        watchdog.close();
        scheduler.shutdownNow();
        if (socketServer != null) {
            SocketFile.remove(config.socketPath());
        }
        LOG.info("a6-runner stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started0));
    }
}
