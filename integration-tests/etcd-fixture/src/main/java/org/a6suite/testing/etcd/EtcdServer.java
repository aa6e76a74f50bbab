package org.a6suite.testing.etcd;

import io.etcd.jetcd.Client;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real, single-member etcd (Debian's {@code etcd-server}, {@code /usr/bin/etcd}) on free loopback ports with a
 * temporary data directory: a test and development fixture, never an in-memory stand-in.
 *
 * <pre>{@code
 * try (EtcdServer etcd = EtcdServer.start(); Client client = etcd.newClient()) {
 *     client.getKVClient().put(key, value).get();
 *     etcd.restart();          // same ports, same data directory: the data survives
 * }
 * }</pre>
 *
 * <p>The process is stopped with SIGTERM in {@link #stop()} / {@link #close()}; a JVM shutdown hook kills it if a test
 * forgets to close, so no etcd outlives the JVM. Start-up waits on etcd's {@code /health} endpoint with a bounded poll
 * (at most {@link #STARTUP_TIMEOUT}); a missing binary or an etcd that does not come up fails with a message that
 * includes the tail of etcd's log.
 *
 * <p>The binary can be overridden with the system property {@code a6.etcd.binary} or the environment variable
 * {@code A6_ETCD_BINARY}.
 */
public final class EtcdServer implements AutoCloseable {

    /** How long {@link #start()} and {@link #restart()} wait for etcd to report healthy. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

    /** How long {@link #stop()} waits after SIGTERM before killing the process. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private static final String DEFAULT_BINARY = "/usr/bin/etcd";
    private static final int PORT_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 40;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(25);

    private final Path binary;
    private final Path rootDir;
    private final Path dataDir;
    private final Path logFile;
    private final int clientPort;
    private final int peerPort;
    private final HttpClient http;
    private final Thread shutdownHook;

    private Process process;
    private boolean closed;

    private EtcdServer(Path binary, Path rootDir, int clientPort, int peerPort) {
        this.binary = binary;
        this.rootDir = rootDir;
        this.dataDir = rootDir.resolve("data");
        this.logFile = rootDir.resolve("etcd.log");
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        this.shutdownHook = new Thread(this::killQuietly, "etcd-fixture-shutdown-" + clientPort);
    }

    /**
     * Starts a fresh etcd on free loopback ports and waits until it is healthy.
     *
     * @throws IllegalStateException if the binary is missing or etcd does not become healthy in time
     */
    public static EtcdServer start() {
        Path binary = binary();
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("etcd binary: " + binary + " (expected: an executable etcd, e.g. Debian's "
                    + "etcd-server package; override with -Da6.etcd.binary or A6_ETCD_BINARY)");
        }
        IllegalStateException last = null;
        // Free ports are picked then released, so another process may grab one before etcd binds it: retry a few
        // times with new ports rather than fail a test on that race.
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            Path root;
            try {
                root = Files.createTempDirectory("a6-etcd-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create etcd temp directory", e);
            }
            int[] ports = freePorts(2);
            EtcdServer server = new EtcdServer(binary, root, ports[0], ports[1]);
            try {
                Runtime.getRuntime().addShutdownHook(server.shutdownHook);
                server.launch();
                return server;
            } catch (IllegalStateException e) {
                last = e;
                server.close();
            }
        }
        throw last;
    }

    /** The client URL, e.g. {@code http://127.0.0.1:40123}. */
    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** The client port on 127.0.0.1. */
    public int clientPort() {
        return clientPort;
    }

    /** The data directory; it survives {@link #restart()} and is deleted by {@link #close()}. */
    public Path dataDir() {
        return dataDir;
    }

    /** True while the etcd process is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** A new jetcd client for this server; the caller closes it. */
    public Client newClient() {
        return Client.builder().endpoints(endpoint()).build();
    }

    /** Stops etcd with SIGTERM and waits for it to exit (killing it after {@link #STOP_TIMEOUT}). Idempotent. */
    public synchronized void stop() {
        Process p = process;
        process = null;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops etcd and starts it again on the same ports with the same data directory, waiting until healthy. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("etcd fixture: closed (expected: an open fixture to restart)");
        }
        stop();
        launch();
    }

    /** The last lines of etcd's log, for failure messages. */
    public String logTail() {
        try {
            if (!Files.exists(logFile)) {
                return "(no etcd log)";
            }
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(etcd log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops etcd and deletes its data directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // JVM already shutting down, or hook never registered: the hook does the same kill.
        }
        deleteRecursively(rootDir);
    }

    private synchronized void launch() {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--name=a6-fixture");
        command.add("--data-dir=" + dataDir);
        command.add("--listen-client-urls=" + endpoint());
        command.add("--advertise-client-urls=" + endpoint());
        String peer = "http://127.0.0.1:" + peerPort;
        command.add("--listen-peer-urls=" + peer);
        command.add("--initial-advertise-peer-urls=" + peer);
        command.add("--initial-cluster=a6-fixture=" + peer);
        command.add("--initial-cluster-state=new");
        command.add("--logger=zap");
        command.add("--log-outputs=stderr");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("etcd binary: " + binary + " failed to start: " + e.getMessage(), e);
        }
        awaitHealthy(process);
    }

    private void awaitHealthy(Process p) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        URI health = URI.create(endpoint() + "/health");
        String lastProblem = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw failure("etcd exited with code " + p.exitValue() + " during start-up");
            }
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(1))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"true\"")) {
                    return;
                }
                lastProblem = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                lastProblem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for etcd");
            }
            LockSupport.parkNanos(POLL_INTERVAL.toNanos());
        }
        p.destroyForcibly();
        throw failure("etcd at " + endpoint() + " not healthy within " + STARTUP_TIMEOUT.toSeconds() + " s (last: "
                + lastProblem + ")");
    }

    private IllegalStateException failure(String message) {
        return new IllegalStateException(message + "; etcd log tail:\n" + logTail());
    }

    private void killQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private static Path binary() {
        String configured = System.getProperty("a6.etcd.binary", System.getenv("A6_ETCD_BINARY"));
        return Paths.get(configured == null || configured.isBlank() ? DEFAULT_BINARY : configured);
    }

    private static int[] freePorts(int count) {
        int[] ports = new int[count];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            // Hold all sockets open together so the ports are distinct.
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                socket.setReuseAddress(true);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing useful to do: the port is released either way
                }
            }
        }
        return ports;
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file must not fail a test's tear-down
                }
            });
        } catch (IOException ignored) {
            // best effort, as above
        }
    }

    @Override
    public String toString() {
        return "EtcdServer[" + endpoint() + ", data=" + dataDir + ", running=" + isRunning() + "]";
    }
}
