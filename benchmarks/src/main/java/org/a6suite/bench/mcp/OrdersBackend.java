package org.a6suite.bench.mcp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The benchmark's REST backend: {@code GET /api/orders/{id}} answering exactly what
 * {@code org.a6suite.testing.mcp.RestToolBackend} answers ({@code {"id":...,"status":"shipped","total":42.5}}, same
 * JDK {@link HttpServer}, same cached thread pool), without the fixture's per-request log. That log is a
 * {@code CopyOnWriteArrayList} which copies itself on every request, so under load its cost grows with the number of
 * requests served and would make later measurement points slower than earlier ones ({@code --backend fixture} runs
 * the fixture itself, to see the difference).
 */
final class OrdersBackend implements AutoCloseable {

    private static final String PREFIX = "/api/orders/";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bench-orders-backend");
        t.setDaemon(true);
        return t;
    });

    private OrdersBackend(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static OrdersBackend start() {
        try {
            return new OrdersBackend(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET") || !path.startsWith(PREFIX)) {
                send(exchange, 404, "{\"error\":\"not found\"}");
                return;
            }
            // Ids in the benchmark are [a-z0-9-]: no JSON escaping needed.
            send(
                    exchange,
                    200,
                    "{\"id\":\"" + path.substring(PREFIX.length()) + "\",\"status\":\"shipped\",\"total\":42.5}");
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
