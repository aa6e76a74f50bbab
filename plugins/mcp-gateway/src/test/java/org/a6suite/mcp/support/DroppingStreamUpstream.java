package org.a6suite.mcp.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * TEST FIXTURE: the GET side of an MCP Streamable HTTP server whose GET stream drops. Each GET on {@code /mcp} is
 * answered by the {@link Connection} the script gives for its number (0 = first): a status, the SSE text to send, and
 * whether to keep the connection open afterwards (until {@link #close()}) or end it, as a server that restarts or
 * polls does. Records the {@code Last-Event-ID} each GET carried.
 */
public final class DroppingStreamUpstream implements AutoCloseable {

    /** How one GET is answered. */
    public record Connection(int status, String sse, boolean keepOpen) {
        /** A 200 event stream sending {@code sse}, then ending. */
        public static Connection drops(String sse) {
            return new Connection(200, sse, false);
        }

        /** A 200 event stream sending {@code sse}, then staying open. */
        public static Connection stays(String sse) {
            return new Connection(200, sse, true);
        }

        /** A refusal (404 for a lost session, 405 for no GET stream). */
        public static Connection refuses(int status) {
            return new Connection(status, "", false);
        }
    }

    private final HttpServer server;
    private final List<Optional<String>> lastEventIds = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private DroppingStreamUpstream(IntFunction<Connection> script) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dropping-stream-upstream");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/mcp", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                int n;
                synchronized (lastEventIds) {
                    n = lastEventIds.size();
                    lastEventIds.add(
                            Optional.ofNullable(exchange.getRequestHeaders().getFirst("last-event-id")));
                }
                answer(exchange, script.apply(n));
            }
        });
        server.start();
    }

    /** Starts on a free loopback port; GET number {@code n} is answered by {@code script.apply(n)}. */
    public static DroppingStreamUpstream start(IntFunction<Connection> script) {
        try {
            return new DroppingStreamUpstream(script);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void answer(HttpExchange exchange, Connection connection) throws IOException {
        if (connection.status() != 200) {
            exchange.sendResponseHeaders(connection.status(), -1);
            return;
        }
        exchange.getResponseHeaders().add("content-type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.write(connection.sse().getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (connection.keepOpen()) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mcp");
    }

    /** The {@code Last-Event-ID} of each GET so far, in order (empty when it carried none). */
    public List<Optional<String>> lastEventIds() {
        return List.copyOf(lastEventIds);
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
