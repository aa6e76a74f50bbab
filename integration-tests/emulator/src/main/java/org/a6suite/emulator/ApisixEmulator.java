package org.a6suite.emulator;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.a6suite.emulator.internal.Engine;
import org.a6suite.emulator.internal.ExtPluginClient;
import org.a6suite.emulator.internal.HttpFrontHandler;
import org.a6suite.emulator.internal.MetricsHandler;
import org.a6suite.emulator.internal.PassiveHealth;
import org.a6suite.emulator.internal.PrometheusMetrics;
import org.a6suite.emulator.internal.RunnerPool;
import org.a6suite.emulator.internal.TokenCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An emulator of Apache APISIX's data plane for the ext-plugin runner. <b>A TEST AND DEVELOPMENT FIXTURE: it is never
 * shipped as, and must never be used as, a gateway.</b>
 *
 * <p>It serves HTTP on 127.0.0.1, matches a small route table, runs {@code ext-plugin-pre-req},
 * {@code ext-plugin-post-req} and {@code ext-plugin-post-resp} through a runner on a Unix socket exactly as APISIX
 * 3.18's ext-plugin client does (as §3, §4, §6 and the notes of the recorded transcripts' README say,
 * {@code runner/protocol/src/test/resources/transcripts/README.md}; "§N" in this module means that README's
 * section), applies the results and proxies to the route's upstream. See {@code docs/emulator.md}.
 *
 * <p>Why one file of ~480 lines: it is the emulator's whole public surface (start, routes, the runner pool's
 * counters, the optional Control API, metrics and etcd sources) and its {@link Builder}, one documented option per
 * method; the work behind each lives in {@code internal}.
 *
 * <pre>{@code
 * try (ApisixEmulator apisix = ApisixEmulator.builder()
 *         .runnerSocket(Path.of("/tmp/runner.sock"))
 *         .route(EmulatorRoute.fromJson("1", routeJson))
 *         .build().start()) {
 *     HttpResponse<String> r = http.send(HttpRequest.newBuilder(apisix.baseUri().resolve("/s1/x")).build(), ofString());
 * }
 * }</pre>
 */
public final class ApisixEmulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApisixEmulator.class);

    private final Config config;
    private final EventLoopGroup group;
    private final RunnerPool pool;
    private final TokenCache tokens;
    private final Engine engine;
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final PrometheusMetrics metrics;
    private final PassiveHealth health = new PassiveHealth();
    private final EtcdRouteSource etcd;
    private Channel server;
    private Channel metricsServer;
    private Channel controlServer;

    private ApisixEmulator(Config config) {
        this.config = config;
        this.group = new MultiThreadIoEventLoopGroup(config.threads, NioIoHandler.newFactory());
        this.pool = new RunnerPool(
                config.runnerSocket,
                group,
                config.connectTimeout,
                config.poolSize,
                config.keepaliveTimeout,
                config.clock);
        this.tokens = new TokenCache(config.clock, config.tokenTtl, 512);
        this.metrics = new PrometheusMetrics(hostname());
        this.engine = new Engine(config.clock, new ExtPluginClient(pool, tokens, config.readTimeout), metrics, health);
        config.routes.forEach(engine::putRoute);
        this.etcd = config.etcdEndpoints.isEmpty()
                ? null
                : new EtcdRouteSource(config.etcdEndpoints, config.etcdPrefix, engine::replaceEtcdRoutes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the HTTP listener and returns this emulator. */
    public ApisixEmulator start() {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clients.add(ch);
                        ch.pipeline()
                                .addLast(
                                        new HttpServerCodec(),
                                        HttpFrontHandler.lengthRecorder(),
                                        new HttpObjectAggregator(config.maxBodyBytes),
                                        new HttpFrontHandler(engine));
                    }
                });
        try {
            server = b.bind(config.host, config.port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + config.host + ":" + config.port, e);
        }
        if (config.metricsPort >= 0) {
            metricsServer =
                    side(config.metricsPort, new Side(MetricsHandler.EXPORT_URI, "text/plain", metrics::render));
        }
        if (config.controlPort >= 0) {
            controlServer = side(
                    config.controlPort, new Side(MetricsHandler.HEALTHCHECK_URI, "application/json", health::render));
        }
        if (etcd != null) {
            etcd.start();
        }
        log.info(
                "APISIX EMULATOR (a test and development fixture, NOT a gateway) listening on {}, runner socket {}"
                        + "{}{}",
                baseUri(),
                config.runnerSocket,
                etcd == null ? "" : ", routes from etcd " + config.etcdEndpoints + " " + config.etcdPrefix,
                (metricsServer == null ? "" : ", metrics at " + metricsUri().orElseThrow())
                        + (controlServer == null
                                ? ""
                                : ", control API at " + healthcheckUri().orElseThrow()));
        return this;
    }

    private record Side(String uri, String contentType, java.util.function.Supplier<String> body) {}

    private Channel side(int port, Side side) {
        ServerBootstrap m = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        clients.add(ch);
                        ch.pipeline()
                                .addLast(
                                        new HttpServerCodec(),
                                        new HttpObjectAggregator(64 * 1024),
                                        new MetricsHandler(side.uri(), side.contentType(), side.body()));
                    }
                });
        return m.bind(config.host, port).syncUninterruptibly().channel();
    }

    /** The Control API port, when {@link Builder#controlPort(int)} was set. */
    public OptionalInt controlPort() {
        return controlServer == null
                ? OptionalInt.empty()
                : OptionalInt.of(((InetSocketAddress) controlServer.localAddress()).getPort());
    }

    /** {@code http://127.0.0.1:<control port>/v1/healthcheck}, when the Control API runs. */
    public Optional<URI> healthcheckUri() {
        return controlServer == null
                ? Optional.empty()
                : Optional.of(URI.create(
                        "http://" + config.host + ":" + controlPort().getAsInt() + MetricsHandler.HEALTHCHECK_URI));
    }

    /** The etcd route source, when the builder was given {@link Builder#etcd(List, String)}. */
    public Optional<EtcdRouteSource> etcd() {
        return Optional.ofNullable(etcd);
    }

    /** The port of the prometheus export server, when {@link Builder#metricsPort(int)} was set. */
    public OptionalInt metricsPort() {
        return metricsServer == null
                ? OptionalInt.empty()
                : OptionalInt.of(((InetSocketAddress) metricsServer.localAddress()).getPort());
    }

    /** {@code http://127.0.0.1:<metrics port>/apisix/prometheus/metrics}, when the export server runs. */
    public Optional<URI> metricsUri() {
        return metricsServer == null
                ? Optional.empty()
                : Optional.of(URI.create(
                        "http://" + config.host + ":" + metricsPort().getAsInt() + MetricsHandler.EXPORT_URI));
    }

    /** The prometheus text the export server would answer now (also without an export server). */
    public String metricsText() {
        return metrics.render();
    }

    /** The ids of the routes served now (from the builder, {@link #putRoute} and etcd). */
    public Set<String> routeIds() {
        return engine.routeIds();
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI baseUri() {
        return URI.create("http://" + config.host + ":" + port());
    }

    public int port() {
        requireStarted();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Adds or replaces a route. Each put gets a new version (APISIX's etcd modifiedIndex), so the next request sends a
     * new PrepareConf with key {@code route#<id>#<plugin>#<version>} (transcript s07).
     */
    public void putRoute(EmulatorRoute route) {
        engine.putRoute(requireNonNull(route, "route"));
    }

    public boolean removeRoute(String id) {
        return engine.removeRoute(requireNonNull(id, "id"));
    }

    /** Runner connections opened so far (PrepareConf and calls). */
    public long runnerConnectionsOpened() {
        return pool.connectionsOpened();
    }

    /** Runner connections closed after a successful RPC because bytes were left unread (transcripts README, notes). */
    public long runnerConnectionsDropped() {
        return pool.connectionsDropped();
    }

    /** Idle runner connections in the keep-alive pool. */
    public int runnerConnectionsIdle() {
        return pool.idleCount();
    }

    /** Forgets every configuration token, as a runner_exit event does. */
    public void flushTokens() {
        tokens.flush();
    }

    private void requireStarted() {
        if (server == null) {
            throw new IllegalStateException("emulator not started (call start())");
        }
    }

    @Override
    public void close() {
        if (etcd != null) {
            etcd.close();
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (metricsServer != null) {
            metricsServer.close().syncUninterruptibly();
        }
        if (controlServer != null) {
            controlServer.close().syncUninterruptibly();
        }
        clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        pool.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private record Config(
            Path runnerSocket,
            List<EmulatorRoute> routes,
            String host,
            int port,
            Duration readTimeout,
            Duration connectTimeout,
            int poolSize,
            Duration keepaliveTimeout,
            Duration tokenTtl,
            int maxBodyBytes,
            int threads,
            Clock clock,
            List<String> etcdEndpoints,
            String etcdPrefix,
            int metricsPort,
            int controlPort) {}

    /**
     * Builds an {@link ApisixEmulator}. Defaults are APISIX's: read timeout 60 s, connect timeout 1 s, keep-alive pool
     * of 32 connections for 180 s, token TTL 3600 s.
     */
    public static final class Builder {
        private Path runnerSocket;
        private final List<EmulatorRoute> routes = new ArrayList<>();
        private String host = "127.0.0.1";
        private int port;
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(1);
        private int poolSize = 32;
        private Duration keepaliveTimeout = Duration.ofSeconds(180);
        private Duration tokenTtl = Duration.ofSeconds(3600);
        private int maxBodyBytes = 64 * 1024 * 1024;
        private int threads = 2;
        private Clock clock = Clock.systemUTC();
        private List<String> etcdEndpoints = List.of();
        private String etcdPrefix = "/apisix";
        private int metricsPort = -1;
        private int controlPort = -1;

        private Builder() {}

        /**
         * Reads routes, upstreams and services from etcd under {@code prefix} (APISIX's default {@code /apisix}) and
         * follows their changes (see {@link EtcdRouteSource}). Routes given to {@link #route} stay beside them.
         */
        public Builder etcd(List<String> endpoints, String prefix) {
            requireNonNull(endpoints, "endpoints");
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException(
                        "etcd endpoints: [] (expected: at least one URL such as " + "http://127.0.0.1:2379)");
            }
            requireNonNull(prefix, "prefix");
            if (!prefix.startsWith("/")) {
                throw new IllegalArgumentException("etcd prefix: " + prefix + " (expected: starts with '/')");
            }
            this.etcdEndpoints = List.copyOf(endpoints);
            this.etcdPrefix = prefix;
            return this;
        }

        /**
         * Serves the Control API's {@code GET /v1/healthcheck} on this port (0 picks a free one), as APISIX does on
         * 127.0.0.1:9090: upstreams with {@code checks} that served traffic, with their nodes' passive health.
         */
        public Builder controlPort(int port) {
            this.controlPort = inRange("controlPort", port, 0, 65535);
            return this;
        }

        /**
         * Serves {@code GET /apisix/prometheus/metrics} on this port (0 picks a free one), as APISIX's prometheus
         * export server does on 127.0.0.1:9091. Off unless set; the metrics are recorded either way.
         */
        public Builder metricsPort(int port) {
            this.metricsPort = inRange("metricsPort", port, 0, 65535);
            return this;
        }

        /** The runner's Unix socket (what {@code APISIX_LISTEN_ADDRESS=unix:<path>} names). Required. */
        public Builder runnerSocket(Path path) {
            this.runnerSocket = requireNonNull(path, "runnerSocket");
            return this;
        }

        public Builder route(EmulatorRoute route) {
            routes.add(requireNonNull(route, "route"));
            return this;
        }

        /** Loopback address to listen on; default 127.0.0.1. */
        public Builder host(String host) {
            this.host = requireNonNull(host, "host");
            return this;
        }

        /** HTTP port; default 0 (a free port, see {@link #port()}). */
        public Builder port(int port) {
            this.port = inRange("port", port, 0, 65535);
            return this;
        }

        /** How long to wait for each runner frame; default 60 s, APISIX's {@code settimeouts(1000, 60000, 60000)}. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive("readTimeout", timeout);
            return this;
        }

        /** Runner connect timeout; default 1 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** Idle runner connections kept; default 32 ({@code setkeepalive(180000, 32)}). */
        public Builder poolSize(int size) {
            this.poolSize = inRange("poolSize", size, 0, Integer.MAX_VALUE);
            return this;
        }

        /** How long an idle runner connection is kept; default 180 s. */
        public Builder keepaliveTimeout(Duration timeout) {
            this.keepaliveTimeout = positive("keepaliveTimeout", timeout);
            return this;
        }

        /** Token cache TTL; default 3600 s (the worker LRU). */
        public Builder tokenTtl(Duration ttl) {
            this.tokenTtl = positive("tokenTtl", ttl);
            return this;
        }

        /** Largest client request body; default 64 MiB. */
        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = inRange("maxBodyBytes", bytes, 0, Integer.MAX_VALUE);
            return this;
        }

        /** Event-loop threads; default 2. */
        public Builder threads(int threads) {
            this.threads = inRange("threads", threads, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Clock for token TTLs, the keep-alive timeout and Date headers; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        public ApisixEmulator build() {
            if (runnerSocket == null) {
                throw new IllegalArgumentException("runnerSocket: null (expected: the runner's unix socket path)");
            }
            return new ApisixEmulator(new Config(
                    runnerSocket,
                    List.copyOf(routes),
                    host,
                    port,
                    readTimeout,
                    connectTimeout,
                    poolSize,
                    keepaliveTimeout,
                    tokenTtl,
                    maxBodyBytes,
                    threads,
                    clock,
                    etcdEndpoints,
                    etcdPrefix,
                    metricsPort,
                    controlPort));
        }

        /** {@code value} if within [min, max], else {@code name: value (expected: ...)}. */
        private static int inRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                String expected = max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max;
                throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
            }
            return value;
        }

        private static Duration positive(String name, Duration d) {
            requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
            return d;
        }
    }
}
