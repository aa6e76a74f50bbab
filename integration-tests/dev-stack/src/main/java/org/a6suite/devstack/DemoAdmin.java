package org.a6suite.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DEVELOPMENT FIXTURE: the demo's admin endpoint, on loopback only (127.0.0.1:18099), to make a demo backend node fail
 * on demand:
 * <pre>
 *   curl -X POST 'http://127.0.0.1:18099/fail?node=127.0.0.14:18084&amp;mode=503&amp;seconds=30'   (mode: 503 or hang)
 *   curl -X POST 'http://127.0.0.1:18099/fail?node=all&amp;mode=hang&amp;seconds=10'
 *   curl -X POST 'http://127.0.0.1:18099/recover?node=all'
 *   curl http://127.0.0.1:18099/nodes
 * </pre>
 * {@code node} is a node's host:port, its number (1..4), or {@code all}.
 */
final class DemoAdmin implements AutoCloseable {

    static final int PORT = 18099;
    private final HttpServer server;
    private final List<DemoNode> nodes;

    private DemoAdmin(List<DemoNode> nodes) throws IOException {
        this.nodes = nodes;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", PORT), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    static DemoAdmin start(List<DemoNode> nodes) {
        try {
            return new DemoAdmin(nodes);
        } catch (IOException e) {
            throw new IllegalStateException("demo admin endpoint 127.0.0.1:" + PORT + ": " + e.getMessage(), e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
            String path = exchange.getRequestURI().getPath();
            int status = 200;
            String answer;
            try {
                if (path.equals("/nodes")) {
                    answer = status();
                } else if (!exchange.getRequestMethod().equals("POST")) {
                    status = 405;
                    answer = "POST /fail?node=...&mode=503|hang&seconds=N or POST /recover?node=...";
                } else if (path.equals("/fail")) {
                    String mode = q.getOrDefault("mode", "503");
                    long seconds = Long.parseLong(q.getOrDefault("seconds", "30"));
                    if (seconds < 1 || seconds > 3600) {
                        throw new IllegalArgumentException("seconds: " + seconds + " (expected: 1..3600)");
                    }
                    for (DemoNode n : select(q.get("node"))) {
                        n.fail(mode, Duration.ofSeconds(seconds));
                    }
                    answer = status();
                } else if (path.equals("/recover")) {
                    select(q.get("node")).forEach(DemoNode::recover);
                    answer = status();
                } else {
                    status = 404;
                    answer = "unknown: " + path;
                }
            } catch (IllegalArgumentException e) {
                status = 400;
                answer = e.getMessage();
            }
            byte[] body = (answer + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private List<DemoNode> select(String node) {
        if (node == null || node.isEmpty()) {
            throw new IllegalArgumentException("node: missing (host:port, 1.." + nodes.size() + ", or all)");
        }
        if (node.equals("all")) {
            return nodes;
        }
        if (node.matches("\\d+")) {
            int i = Integer.parseInt(node);
            if (i >= 1 && i <= nodes.size()) {
                return List.of(nodes.get(i - 1));
            }
        }
        return nodes.stream()
                .filter(n -> n.hostPort().equals(node))
                .findFirst()
                .map(List::of)
                .orElseThrow(() -> new IllegalArgumentException("node: unknown " + node));
    }

    private String status() {
        StringBuilder b = new StringBuilder();
        for (DemoNode n : nodes) {
            String f = n.failing();
            b.append(b.isEmpty() ? "" : "\n")
                    .append(n.hostPort())
                    .append(' ')
                    .append(f == null ? "ok" : "failing: " + f);
        }
        return b.toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(
                            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
