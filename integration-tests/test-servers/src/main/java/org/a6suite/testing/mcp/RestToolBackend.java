package org.a6suite.testing.mcp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * TEST FIXTURE: a loopback JSON REST API that MCP gateway tests expose as tools, with injectable faults.
 *
 * <ul>
 *   <li>{@code GET /api/orders/{id}}: {@code {"id", "status": "shipped", "total": 42.5}}; id {@code missing} is 404</li>
 *   <li>{@code POST /api/orders}: echoes the JSON body with {@code "id": "o-1"} added (201)</li>
 *   <li>{@code ANY /api/echo/...}: echoes method, raw path, raw query, selected headers and body</li>
 *   <li>{@code GET /api/big}: a body of {@link #BIG_BYTES} bytes</li>
 *   <li>{@code GET /admin}: must never be reached through the gateway (SSRF probe); counted</li>
 * </ul>
 * Faults: {@link #failNext(int, int)} answers the next n requests with a status; {@link #delay(Duration)} delays
 * every answer. Every request's raw path and query is recorded.
 */
public final class RestToolBackend implements AutoCloseable {

    public static final int BIG_BYTES = 64 * 1024;

    private final ObjectMapper mapper = JsonMapper.builder().build();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rest-tool-backend");
        t.setDaemon(true);
        return t;
    });
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile boolean recording = true;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger failureStatus = new AtomicInteger(500);
    private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    private final AtomicInteger adminHits = new AtomicInteger();

    private RestToolBackend(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts on a free loopback port. */
    public static RestToolBackend start() {
        return start("127.0.0.1", 0);
    }

    /** Starts on {@code host:port} (port 0 picks a free one); the local dev stack uses fixed ports. */
    public static RestToolBackend start(String host, int port) {
        try {
            return new RestToolBackend(HttpServer.create(new InetSocketAddress(host, port), 64));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Forgets the recorded requests (long-running demos call this so memory stays bounded). */
    public void clearRequests() {
        requests.clear();
    }

    /** Every request so far as {@code METHOD rawPath[?rawQuery]}. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public int adminHits() {
        return adminHits.get();
    }

    public void failNext(int count, int status) {
        failureStatus.set(status);
        failures.set(count);
    }

    public void delay(Duration value) {
        delay.set(value);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String method = exchange.getRequestMethod();
            if (recording)
                requests.add(
                        method + " " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            byte[] body = exchange.getRequestBody().readAllBytes();
            Duration wait = delay.get();
            if (!wait.isZero()) {
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                // Like some real backends, the error echoes what it received, credentials included.
                StringBuilder echo = new StringBuilder();
                exchange.getRequestHeaders()
                        .forEach((name, values) -> echo.append(name)
                                .append(": ")
                                .append(String.join(",", values))
                                .append("; "));
                send(
                        exchange,
                        failureStatus.get(),
                        "{\"error\":\"injected failure\",\"received\":\""
                                + echo.toString().replace("\\", "").replace("\"", "") + "\"}");
                return;
            }
            String path = uri.getRawPath();
            if (path.startsWith("/admin")) {
                adminHits.incrementAndGet();
                send(exchange, 200, "{\"secret\":\"admin\"}");
            } else if (path.equals("/api/big")) {
                send(exchange, 200, "\"" + "x".repeat(BIG_BYTES) + "\"");
            } else if (path.startsWith("/api/orders/") && method.equals("GET")) {
                String id = uri.getPath().substring("/api/orders/".length());
                if (id.equals("missing")) {
                    send(exchange, 404, "{\"error\":\"no such order\"}");
                    return;
                }
                ObjectNode order = mapper.createObjectNode();
                order.put("id", id).put("status", "shipped").put("total", 42.5);
                send(exchange, 200, mapper.writeValueAsString(order));
            } else if (path.equals("/api/orders") && method.equals("POST")) {
                JsonNode in = body.length == 0 ? mapper.createObjectNode() : mapper.readTree(body);
                ObjectNode out = in.isObject() ? (ObjectNode) in : mapper.createObjectNode();
                out.put("id", "o-1");
                send(exchange, 201, mapper.writeValueAsString(out));
            } else if (path.startsWith("/api/echo")) {
                ObjectNode echo = mapper.createObjectNode();
                echo.put("method", method);
                echo.put("path", path);
                echo.put("query", uri.getRawQuery() == null ? "" : uri.getRawQuery());
                ObjectNode headers = echo.putObject("headers");
                exchange.getRequestHeaders().forEach((k, v) -> {
                    String name = k.toLowerCase(java.util.Locale.ROOT);
                    if (name.startsWith("x-") || name.equals("authorization") || name.equals("content-type")) {
                        headers.put(name, String.join(",", v));
                    }
                });
                echo.put("body", new String(body, StandardCharsets.UTF_8));
                send(exchange, 200, mapper.writeValueAsString(echo));
            } else {
                send(exchange, 404, "{\"error\":\"not found\"}");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /**
     * Whether {@link #requests()} keeps each request (default true); per-call benchmarks turn it off, as the
     * copy-on-write list would otherwise copy itself on every request and swamp what they measure.
     */
    public void recordRequests(boolean on) {
        this.recording = on;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
