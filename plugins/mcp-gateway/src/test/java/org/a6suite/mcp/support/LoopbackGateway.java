package org.a6suite.mcp.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;

/**
 * A test stand-in for APISIX + runner until the emulator exists: a loopback HTTP server that turns each request into
 * the {@link RequestView} APISIX would send (lower-case headers, whole body) and applies the plugin's Stop decision.
 * Requests go round-robin to several plugin instances, like APISIX nodes each with their own runner.
 */
public final class LoopbackGateway implements AutoCloseable {

    /** One "runner": a plugin instance and the config it parsed. */
    public record Runner(McpGatewayPlugin plugin, McpGatewayConfig config) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Runner> runners;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger[] served;

    public LoopbackGateway(List<Runner> runners, Map<String, String> vars) {
        this.runners = List.copyOf(runners);
        this.served = new AtomicInteger[runners.size()];
        for (int i = 0; i < served.length; i++) {
            served[i] = new AtomicInteger();
        }
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 32);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> handle(exchange, vars));
        server.setExecutor(executor);
        server.start();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public int served(int runner) {
        return served[runner].get();
    }

    private void handle(HttpExchange exchange, Map<String, String> vars) throws IOException {
        try (exchange) {
            List<String> headers = new ArrayList<>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> values.forEach(v -> {
                        headers.add(name.toLowerCase(Locale.ROOT));
                        headers.add(v);
                    }));
            RequestView request = RequestView.builder(
                            HttpMethod.valueOf(exchange.getRequestMethod()),
                            exchange.getRequestURI().getPath())
                    .headers(Headers.of(headers.toArray(String[]::new)))
                    .vars(vars)
                    .body(Body.wrap(exchange.getRequestBody().readAllBytes()))
                    .build();
            int index = Math.floorMod(next.getAndIncrement(), runners.size());
            served[index].incrementAndGet();
            Runner runner = runners.get(index);
            RequestDecision decision;
            try {
                decision = runner.plugin()
                        .onRequest(request, runner.config(), McpRequests.CONTEXT)
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            RequestDecision.Stop stop = (RequestDecision.Stop) decision;
            stop.headers().forEach(h -> exchange.getResponseHeaders().add(h.name(), h.value()));
            byte[] body = stop.body().map(Body::toByteArray).orElse(new byte[0]);
            exchange.sendResponseHeaders(stop.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
