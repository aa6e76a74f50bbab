package org.a6suite.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * DEVELOPMENT FIXTURE: one node of the demo "orders" backend. Echoes the request as JSON
 * ({@code {"node","method","path","headers":[[n,v]...],"body"}}) with an {@code X-Demo-Node: host:port} header, so a
 * client sees which node answered. It can be degraded (slower, a share of 500s: the demo traffic's story) and made to
 * fail on demand for a while ({@code 503} or {@code hang}; {@link DemoAdmin}).
 */
final class DemoNode implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String hostPort;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Duration degradedDelay = Duration.ZERO;
    private volatile double degradedErrorRate;
    private final SplittableRandom random = new SplittableRandom(42);
    private volatile String failMode; // null, "503" or "hang"
    private volatile long failUntilNanos;

    private DemoNode(String host, int port) throws IOException {
        this.hostPort = host + ":" + port;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 256);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static DemoNode start(String host, int port) {
        try {
            return new DemoNode(host, port);
        } catch (IOException e) {
            throw new IllegalStateException("demo node " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    String hostPort() {
        return hostPort;
    }

    /** From now on every answer is {@code extraDelay} slower and a share {@code errorRate} of them are 500s. */
    void degrade(Duration extraDelay, double errorRate) {
        this.degradedDelay = extraDelay;
        this.degradedErrorRate = errorRate;
    }

    /** Fails every request for {@code duration}: {@code "503"} answers 503, {@code "hang"} never answers in time. */
    void fail(String mode, Duration duration) {
        if (!mode.equals("503") && !mode.equals("hang")) {
            throw new IllegalArgumentException("mode: " + mode + " (expected: 503 or hang)");
        }
        this.failUntilNanos = System.nanoTime() + duration.toNanos();
        this.failMode = mode;
    }

    /** Ends a {@link #fail} early. */
    void recover() {
        this.failMode = null;
    }

    /** The on-demand failure in force, or null. */
    String failing() {
        String mode = failMode;
        return mode != null && System.nanoTime() - failUntilNanos < 0 ? mode : null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream in = exchange.getRequestBody()) {
            byte[] requestBody = in.readAllBytes();
            String path = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null
                            ? ""
                            : "?" + exchange.getRequestURI().getRawQuery());
            boolean health = path.equals("/health");
            int status = 200;
            String mode = failing();
            if ("hang".equals(mode)) {
                while ("hang".equals(failing())) {
                    sleep(Duration.ofMillis(100));
                }
            } else if ("503".equals(mode)) {
                status = 503;
            }
            if (!health && status == 200 && !degradedDelay.isZero()) {
                sleep(degradedDelay);
                synchronized (random) {
                    if (random.nextDouble() < degradedErrorRate) {
                        status = 500;
                    }
                }
            }
            ObjectNode root = JSON.createObjectNode();
            root.put("node", hostPort);
            root.put("method", exchange.getRequestMethod());
            root.put("path", path);
            ArrayNode headers = root.putArray("headers");
            for (Map.Entry<String, List<String>> e :
                    exchange.getRequestHeaders().entrySet()) {
                for (String v : e.getValue()) {
                    headers.addArray().add(e.getKey()).add(v);
                }
            }
            root.put("body", new String(requestBody, StandardCharsets.UTF_8));
            byte[] body = JSON.writeValueAsBytes(root);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("X-Demo-Node", hostPort);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
