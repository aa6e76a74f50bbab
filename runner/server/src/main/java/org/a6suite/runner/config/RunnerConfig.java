package org.a6suite.runner.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.a6suite.protocol.codec.Frames;

/**
 * The runner's configuration, read once from the environment APISIX gives the process it spawns
 * ({@code ext-plugin.cmd}). Every field is validated here, so the rest of the runner never sees a bad value.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>form</th><th>default</th></tr>
 *   <tr><td>{@code APISIX_LISTEN_ADDRESS}</td><td>{@code unix:/absolute/path.sock}</td><td>required</td></tr>
 *   <tr><td>{@code APISIX_CONF_EXPIRE_TIME}</td><td>seconds, 1..31536000</td><td>required</td></tr>
 *   <tr><td>{@code A6_PLUGINS_DIR}</td><td>a directory of plugin jars</td><td>none</td></tr>
 *   <tr><td>{@code A6_WORKER_THREADS}</td><td>event-loop threads, 1..1024</td><td>available processors</td></tr>
 *   <tr><td>{@code A6_BLOCKING_THREADS}</td><td>threads for blocking plugins, 1..10000</td><td>256</td></tr>
 *   <tr><td>{@code A6_SOCKET_MODE}</td><td>octal permission bits, e.g. {@code 0660}</td><td>{@code 0660}</td></tr>
 *   <tr><td>{@code A6_SOCKET_OWNER}</td><td>{@code user} or {@code user:group}</td><td>decided by
 *       {@link SocketOwnerPolicy}</td></tr>
 *   <tr><td>{@code A6_METRICS_ADDRESS}</td><td>{@code host:port} of the Prometheus endpoint</td><td>off</td></tr>
 *   <tr><td>{@code A6_LANE_ADDRESS}</td><td>{@code host:port} of the HTTP lane, or {@code off}</td>
 *       <td>{@code 127.0.0.1:9093}</td></tr>
 *   <tr><td>{@code A6_LANE_MAX_BODY_BYTES}</td><td>request body bound on the lane, 0..1073741824</td>
 *       <td>8388608 (8 MiB)</td></tr>
 *   <tr><td>{@code A6_LANE_HANDOFF_TTL}</td><td>seconds a handoff stays valid, 1..3600</td><td>30</td></tr>
 *   <tr><td>{@code A6_MAX_CONNECTIONS}</td><td>connections served at once, 1..1000000</td><td>4096</td></tr>
 *   <tr><td>{@code A6_CONNECTION_BUFFER_BYTES}</td><td>largest frame admitted without the global budget,
 *       4096..16777219</td><td>65536</td></tr>
 *   <tr><td>{@code A6_MAX_BUFFERED_BYTES}</td><td>global budget for larger frames, 0..1099511627776</td>
 *       <td>67108864 (64 MiB)</td></tr>
 *   <tr><td>{@code A6_FRAME_TIMEOUT}</td><td>seconds a frame may stay incomplete, 1..3600</td><td>60</td></tr>
 *   <tr><td>{@code A6_TRANSPORT}</td><td>{@code auto}, {@code epoll} or {@code io_uring}: the event loops' I/O
 *       interface ({@code auto}: io_uring where the kernel allows it, else epoll)</td><td>{@code epoll}</td></tr>
 * </table>
 *
 * <p>The lane listens on TCP only: APISIX cannot use a unix socket as an upstream node (its node host schema has no
 * {@code /}, and a {@code "unix:/path"} key of a nodes map parses as host {@code unix} without a port), so
 * {@code unix:} is rejected here rather than accepted and never reached.
 *
 * @param socketPath       the unix socket the runner listens on
 * @param confExpireTime   APISIX's token cache lifetime; the runner keeps tokens longer (see the token store)
 * @param pluginsDir       where extra plugin jars live
 * @param workerThreads    Netty event-loop threads
 * @param blockingThreads  the bound of the pool that runs {@code Execution.BLOCKING} plugins
 * @param socketMode       the socket file's permission bits (0..0777)
 * @param metricsAddress   where to serve {@code GET /metrics}, if anywhere
 * @param laneAddress      where the HTTP lane listens, if anywhere (port 0 picks a free port)
 * @param laneMaxBodyBytes the largest request body the lane accepts (413 above it), 0..1073741824
 * @param laneHandoffTtl   how long a stamped handoff stays valid, 1 s..1 h
 * @param limits           connections, buffered bytes and frame time per peer (see {@link ConnectionLimits})
 * @param socketOwner      who the socket file is given to, if set explicitly (else {@link SocketOwnerPolicy})
 * @param transport        the event loops' I/O interface ({@code auto} and io_uring fall back to epoll when io_uring
 *                         is unavailable)
 */
public record RunnerConfig(
        Path socketPath,
        Duration confExpireTime,
        Optional<Path> pluginsDir,
        int workerThreads,
        int blockingThreads,
        int socketMode,
        Optional<InetSocketAddress> metricsAddress,
        Optional<InetSocketAddress> laneAddress,
        int laneMaxBodyBytes,
        Duration laneHandoffTtl,
        ConnectionLimits limits,
        Optional<SocketOwner> socketOwner,
        IoTransport transport) {

    public static final String LISTEN_ADDRESS = "APISIX_LISTEN_ADDRESS";
    public static final String CONF_EXPIRE_TIME = "APISIX_CONF_EXPIRE_TIME";
    public static final String PLUGINS_DIR = "A6_PLUGINS_DIR";
    public static final String WORKER_THREADS = "A6_WORKER_THREADS";
    public static final String BLOCKING_THREADS = "A6_BLOCKING_THREADS";
    public static final String SOCKET_MODE = "A6_SOCKET_MODE";
    public static final String SOCKET_OWNER = "A6_SOCKET_OWNER";
    public static final String METRICS_ADDRESS = "A6_METRICS_ADDRESS";
    public static final String LANE_ADDRESS = "A6_LANE_ADDRESS";
    public static final String LANE_MAX_BODY_BYTES = "A6_LANE_MAX_BODY_BYTES";
    public static final String LANE_HANDOFF_TTL = "A6_LANE_HANDOFF_TTL";
    public static final String MAX_CONNECTIONS = "A6_MAX_CONNECTIONS";
    public static final String CONNECTION_BUFFER_BYTES = "A6_CONNECTION_BUFFER_BYTES";
    public static final String MAX_BUFFERED_BYTES = "A6_MAX_BUFFERED_BYTES";
    public static final String FRAME_TIMEOUT = "A6_FRAME_TIMEOUT";
    public static final String TRANSPORT = "A6_TRANSPORT";
    /**
     * The JVM system property that sets {@link Builder}'s transport default, so a test suite runs on either transport
     * without code changes ({@code -Da6.test.transport=io_uring}); {@link #fromEnvironment} never reads it.
     */
    public static final String TEST_TRANSPORT_PROPERTY = "a6.test.transport";

    /**
     * What {@code A6_TRANSPORT} defaults to: epoll. {@code auto} (io_uring where the kernel allows it) is not the
     * default yet: its 1-connection CPU per call has not been re-measured on an idle machine (docs/benchmarks.md).
     */
    public static final IoTransport DEFAULT_TRANSPORT = IoTransport.EPOLL;

    /** Loopback only: the lane trusts nothing but its handoff, and only the node's own APISIX should reach it. */
    public static final InetSocketAddress DEFAULT_LANE_ADDRESS = new InetSocketAddress("127.0.0.1", 9093);

    public static final int DEFAULT_LANE_MAX_BODY_BYTES = 8 * 1024 * 1024;
    public static final int MAX_LANE_BODY_BYTES = 1024 * 1024 * 1024;
    public static final Duration DEFAULT_LANE_HANDOFF_TTL = Duration.ofSeconds(30);
    static final Duration MAX_LANE_HANDOFF_TTL = Duration.ofHours(1);

    /**
     * 0660: the socket's owner and group may connect, nobody else. The owner is nginx's worker user when the runner
     * runs as root (see {@link SocketOwnerPolicy}), else the runner's own user, which the workers then share.
     */
    public static final int DEFAULT_SOCKET_MODE = 0660;

    public static final int DEFAULT_BLOCKING_THREADS = 256;
    /** {@code sun_path} holds 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    public RunnerConfig {
        requireNonNull(socketPath, "socketPath");
        requireNonNull(confExpireTime, "confExpireTime");
        requireNonNull(pluginsDir, "pluginsDir");
        requireNonNull(metricsAddress, "metricsAddress");
        requireNonNull(laneAddress, "laneAddress");
        requireNonNull(laneHandoffTtl, "laneHandoffTtl");
        requireNonNull(limits, "limits");
        requireNonNull(socketOwner, "socketOwner");
        requireNonNull(transport, "transport");
        if (!socketPath.isAbsolute()) {
            throw new RunnerConfigException("socketPath: " + socketPath + " (expected: an absolute path)");
        }
        if (socketPath.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw new RunnerConfigException("socketPath: " + socketPath + " (expected: at most " + MAX_SOCKET_PATH_BYTES
                    + " bytes, the unix socket path limit)");
        }
        if (confExpireTime.isNegative() || confExpireTime.isZero()) {
            throw new RunnerConfigException("confExpireTime: " + confExpireTime + " (expected: positive)");
        }
        if (workerThreads < 1 || workerThreads > 1024) {
            throw new RunnerConfigException("workerThreads: " + workerThreads + " (expected: 1..1024)");
        }
        if (blockingThreads < 1 || blockingThreads > 10_000) {
            throw new RunnerConfigException("blockingThreads: " + blockingThreads + " (expected: 1..10000)");
        }
        if (socketMode < 0 || socketMode > 0777) {
            throw new RunnerConfigException(
                    "socketMode: " + Integer.toOctalString(socketMode) + " (expected: 0..0777)");
        }
        if (laneMaxBodyBytes < 0 || laneMaxBodyBytes > MAX_LANE_BODY_BYTES) {
            throw new RunnerConfigException(
                    "laneMaxBodyBytes: " + laneMaxBodyBytes + " (expected: 0.." + MAX_LANE_BODY_BYTES + ")");
        }
        if (laneHandoffTtl.compareTo(Duration.ofSeconds(1)) < 0 || laneHandoffTtl.compareTo(MAX_LANE_HANDOFF_TTL) > 0) {
            throw new RunnerConfigException("laneHandoffTtl: " + laneHandoffTtl + " (expected: PT1S..PT1H)");
        }
    }

    /** A configuration with the defaults for everything but the socket, for tests and embedding. */
    public static Builder builder(Path socketPath) {
        return new Builder(socketPath);
    }

    /** Reads and validates the environment, e.g. {@code fromEnvironment(System.getenv())}. */
    public static RunnerConfig fromEnvironment(Map<String, String> env) {
        requireNonNull(env, "env");
        Path socket = EnvironmentValues.parseListenAddress(
                EnvironmentValues.required(env, LISTEN_ADDRESS, "unix:/absolute/path.sock"));
        long expire = EnvironmentValues.parseLong(
                env,
                CONF_EXPIRE_TIME,
                EnvironmentValues.required(env, CONF_EXPIRE_TIME, "seconds, e.g. 3600"),
                1,
                31_536_000,
                "seconds, 1..31536000");
        Optional<Path> plugins =
                EnvironmentValues.optional(env, PLUGINS_DIR).map(v -> EnvironmentValues.parsePath(PLUGINS_DIR, v));
        int workers = EnvironmentValues.optional(env, WORKER_THREADS)
                .map(v -> (int) EnvironmentValues.parseLong(env, WORKER_THREADS, v, 1, 1024, "an integer 1..1024"))
                .orElse(Math.max(1, Runtime.getRuntime().availableProcessors()));
        int blocking = EnvironmentValues.optional(env, BLOCKING_THREADS)
                .map(v -> (int) EnvironmentValues.parseLong(env, BLOCKING_THREADS, v, 1, 10_000, "an integer 1..10000"))
                .orElse(DEFAULT_BLOCKING_THREADS);
        int mode = EnvironmentValues.optional(env, SOCKET_MODE)
                .map(EnvironmentValues::parseMode)
                .orElse(DEFAULT_SOCKET_MODE);
        Optional<InetSocketAddress> metrics = EnvironmentValues.optional(env, METRICS_ADDRESS)
                .map(v -> EnvironmentValues.parseHostPort(METRICS_ADDRESS, v, "127.0.0.1:9464"));
        Optional<InetSocketAddress> lane = EnvironmentValues.optional(env, LANE_ADDRESS)
                .map(EnvironmentValues::parseLaneAddress)
                .orElse(Optional.of(DEFAULT_LANE_ADDRESS));
        int laneBody = EnvironmentValues.optional(env, LANE_MAX_BODY_BYTES)
                .map(v -> (int) EnvironmentValues.parseLong(
                        env, LANE_MAX_BODY_BYTES, v, 0, MAX_LANE_BODY_BYTES, "bytes, 0.." + MAX_LANE_BODY_BYTES))
                .orElse(DEFAULT_LANE_MAX_BODY_BYTES);
        Duration ttl = EnvironmentValues.optional(env, LANE_HANDOFF_TTL)
                .map(v -> Duration.ofSeconds(EnvironmentValues.parseLong(
                        env,
                        LANE_HANDOFF_TTL,
                        v,
                        1,
                        MAX_LANE_HANDOFF_TTL.toSeconds(),
                        "seconds, 1.." + MAX_LANE_HANDOFF_TTL.toSeconds())))
                .orElse(DEFAULT_LANE_HANDOFF_TTL);
        ConnectionLimits limits = new ConnectionLimits(
                EnvironmentValues.optional(env, MAX_CONNECTIONS)
                        .map(v -> (int) EnvironmentValues.parseLong(
                                env,
                                MAX_CONNECTIONS,
                                v,
                                1,
                                ConnectionLimits.MAX_MAX_CONNECTIONS,
                                "an integer 1.." + ConnectionLimits.MAX_MAX_CONNECTIONS))
                        .orElse(ConnectionLimits.DEFAULT_MAX_CONNECTIONS),
                EnvironmentValues.optional(env, CONNECTION_BUFFER_BYTES)
                        .map(v -> (int) EnvironmentValues.parseLong(
                                env,
                                CONNECTION_BUFFER_BYTES,
                                v,
                                ConnectionLimits.MIN_CONNECTION_BUFFER_BYTES,
                                Frames.MAX_FRAME,
                                "bytes, " + ConnectionLimits.MIN_CONNECTION_BUFFER_BYTES + ".." + Frames.MAX_FRAME))
                        .orElse(ConnectionLimits.DEFAULT_CONNECTION_BUFFER_BYTES),
                EnvironmentValues.optional(env, MAX_BUFFERED_BYTES)
                        .map(v -> EnvironmentValues.parseLong(
                                env,
                                MAX_BUFFERED_BYTES,
                                v,
                                0,
                                ConnectionLimits.MAX_MAX_BUFFERED_BYTES,
                                "bytes, 0.." + ConnectionLimits.MAX_MAX_BUFFERED_BYTES))
                        .orElse(ConnectionLimits.DEFAULT_MAX_BUFFERED_BYTES),
                EnvironmentValues.optional(env, FRAME_TIMEOUT)
                        .map(v -> Duration.ofSeconds(EnvironmentValues.parseLong(
                                env,
                                FRAME_TIMEOUT,
                                v,
                                1,
                                ConnectionLimits.MAX_FRAME_TIMEOUT.toSeconds(),
                                "seconds, 1.." + ConnectionLimits.MAX_FRAME_TIMEOUT.toSeconds())))
                        .orElse(ConnectionLimits.DEFAULT_FRAME_TIMEOUT));
        Optional<SocketOwner> owner =
                EnvironmentValues.optional(env, SOCKET_OWNER).map(v -> SocketOwner.parse(SOCKET_OWNER, v));
        IoTransport transport = EnvironmentValues.optional(env, TRANSPORT)
                .map(v -> IoTransport.parse(TRANSPORT, v))
                .orElse(DEFAULT_TRANSPORT);
        return new RunnerConfig(
                socket,
                Duration.ofSeconds(expire),
                plugins,
                workers,
                blocking,
                mode,
                metrics,
                lane,
                laneBody,
                ttl,
                limits,
                owner,
                transport);
    }

    /** The socket mode as {@link PosixFilePermission}s. */
    public Set<PosixFilePermission> socketPermissions() {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE,
        };
        for (int i = 0; i < order.length; i++) {
            if ((socketMode & (0400 >> i)) != 0) {
                perms.add(order[i]);
            }
        }
        return perms;
    }

    /**
     * Builds a {@link RunnerConfig} with defaults (expire time 3600 s, mode 0660, 2 worker threads, metrics and lane
     * off: an embedded runner opens no TCP port unless asked, so tests can run side by side). The transport defaults
     * to {@link #DEFAULT_TRANSPORT}, or to the system property {@value #TEST_TRANSPORT_PROPERTY} when it is set.
     */
    public static final class Builder {
        private final Path socketPath;
        private Duration confExpireTime = Duration.ofSeconds(3600);
        private Path pluginsDir;
        private int workerThreads = 2;
        private int blockingThreads = DEFAULT_BLOCKING_THREADS;
        private int socketMode = DEFAULT_SOCKET_MODE;
        private InetSocketAddress metricsAddress;
        private InetSocketAddress laneAddress;
        private int laneMaxBodyBytes = DEFAULT_LANE_MAX_BODY_BYTES;
        private Duration laneHandoffTtl = DEFAULT_LANE_HANDOFF_TTL;
        private ConnectionLimits limits = ConnectionLimits.DEFAULT;
        private SocketOwner socketOwner;
        private IoTransport transport;

        private Builder(Path socketPath) {
            this.socketPath = requireNonNull(socketPath, "socketPath");
            this.transport = Optional.ofNullable(System.getProperty(TEST_TRANSPORT_PROPERTY))
                    .filter(v -> !v.isBlank())
                    .map(v -> IoTransport.parse(TEST_TRANSPORT_PROPERTY, v))
                    .orElse(DEFAULT_TRANSPORT);
        }

        public Builder confExpireTime(Duration confExpireTime) {
            this.confExpireTime = requireNonNull(confExpireTime, "confExpireTime");
            return this;
        }

        public Builder pluginsDir(Path pluginsDir) {
            this.pluginsDir = pluginsDir;
            return this;
        }

        public Builder workerThreads(int workerThreads) {
            this.workerThreads = workerThreads;
            return this;
        }

        public Builder blockingThreads(int blockingThreads) {
            this.blockingThreads = blockingThreads;
            return this;
        }

        public Builder socketMode(int socketMode) {
            this.socketMode = socketMode;
            return this;
        }

        public Builder metricsAddress(InetSocketAddress metricsAddress) {
            this.metricsAddress = metricsAddress;
            return this;
        }

        /** Serves the HTTP lane on {@code laneAddress}; {@code 127.0.0.1:0} picks a free port (see laneAddress()). */
        public Builder laneAddress(InetSocketAddress laneAddress) {
            this.laneAddress = laneAddress;
            return this;
        }

        public Builder laneMaxBodyBytes(int laneMaxBodyBytes) {
            this.laneMaxBodyBytes = laneMaxBodyBytes;
            return this;
        }

        public Builder laneHandoffTtl(Duration laneHandoffTtl) {
            this.laneHandoffTtl = requireNonNull(laneHandoffTtl, "laneHandoffTtl");
            return this;
        }

        public Builder limits(ConnectionLimits limits) {
            this.limits = requireNonNull(limits, "limits");
            return this;
        }

        /** Gives the socket to {@code socketOwner} instead of what {@link SocketOwnerPolicy} decides. */
        public Builder socketOwner(SocketOwner socketOwner) {
            this.socketOwner = socketOwner;
            return this;
        }

        /** The event loops' I/O interface; the default is in this class's comment. */
        public Builder transport(IoTransport transport) {
            this.transport = requireNonNull(transport, "transport");
            return this;
        }

        public RunnerConfig build() {
            return new RunnerConfig(
                    socketPath,
                    confExpireTime,
                    Optional.ofNullable(pluginsDir),
                    workerThreads,
                    blockingThreads,
                    socketMode,
                    Optional.ofNullable(metricsAddress),
                    Optional.ofNullable(laneAddress),
                    laneMaxBodyBytes,
                    laneHandoffTtl,
                    limits,
                    Optional.ofNullable(socketOwner),
                    transport);
        }
    }
}
