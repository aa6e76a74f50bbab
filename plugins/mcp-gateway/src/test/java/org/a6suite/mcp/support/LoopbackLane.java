package org.a6suite.mcp.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;

/**
 * A test stand-in for APISIX + runner with a lane route: a loopback HTTP server that runs the plugin's pre-req
 * ({@code onRequest}), applies its Rewrite's header edits, then calls {@code onLane} as the runner's lane does and
 * writes the answer: whole, or chunked with one flush per chunk, one chunk requested at a time (backpressure);
 * a client that goes away cancels the subscription. A request with header {@code x-test-node: N} goes to runner N
 * (default 0), to show what another node does.
 */
public final class LoopbackLane implements AutoCloseable {

    public static final CallContext PRE_REQ =
            new CallContext(Optional.of("route#mcp#ext-plugin-pre-req#1"), 1, CallContext.Phase.PRE_REQ);
    public static final CallContext LANE =
            new CallContext(Optional.of("route#mcp#ext-plugin-pre-req#1"), 1, CallContext.Phase.LANE);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<LoopbackGateway.Runner> runners;
    private final Map<String, String> vars;

    public LoopbackLane(List<LoopbackGateway.Runner> runners, Map<String, String> vars) {
        this.runners = List.copyOf(runners);
        this.vars = Map.copyOf(vars);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static LoopbackLane of(McpGatewayPlugin plugin, McpGatewayConfig config, Map<String, String> vars) {
        return new LoopbackLane(List.of(new LoopbackGateway.Runner(plugin, config)), vars);
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            List<String> headers = new ArrayList<>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> values.forEach(v -> {
                        headers.add(name.toLowerCase(Locale.ROOT));
                        headers.add(v);
                    }));
            Headers all = Headers.of(headers.toArray(String[]::new));
            int node = all.first("x-test-node").map(Integer::parseInt).orElse(0);
            LoopbackGateway.Runner runner = runners.get(node);
            RequestView request = RequestView.builder(
                            HttpMethod.valueOf(exchange.getRequestMethod()),
                            exchange.getRequestURI().getPath())
                    .headers(all)
                    .vars(vars)
                    .body(Body.wrap(exchange.getRequestBody().readAllBytes()))
                    .build();
            RequestDecision decision = runner.plugin()
                    .onRequest(request, runner.config(), PRE_REQ)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            if (decision instanceof RequestDecision.Stop stop) {
                stop.headers().forEach(h -> exchange.getResponseHeaders().add(h.name(), h.value()));
                byte[] body = stop.body().map(Body::toByteArray).orElse(new byte[0]);
                exchange.sendResponseHeaders(stop.status(), body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            RequestDecision.Rewrite rewrite = (RequestDecision.Rewrite) decision;
            if (!rewrite.lane()) {
                throw new IllegalStateException("pre-req did not hand the request to the lane");
            }
            Headers edited = all;
            for (RequestDecision.Rewrite.HeaderEdit edit : rewrite.headers()) {
                edited = edit.value().isPresent()
                        ? edited.with(edit.name(), edit.value().get())
                        : edited.without(edit.name());
            }
            // The lane has no vars: what the plugin needs came through its Rewrite.
            RequestView onLane =
                    request.toBuilder().headers(edited).vars(Map.of()).build();
            LaneResponse response = runner.plugin()
                    .onLane(onLane, runner.config(), LANE)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            response.headers().forEach(h -> exchange.getResponseHeaders().add(h.name(), h.value()));
            switch (response) {
                case LaneResponse.Whole whole -> {
                    byte[] body = whole.body().toByteArray();
                    exchange.sendResponseHeaders(whole.status(), body.length == 0 ? -1 : body.length);
                    exchange.getResponseBody().write(body);
                }
                case LaneResponse.Streamed streamed -> stream(exchange, streamed);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            try {
                exchange.sendResponseHeaders(502, -1);
            } catch (IOException | RuntimeException ignored) {
                // the head was already sent
            }
        }
    }

    private static final Object END = new Object();

    private static void stream(HttpExchange exchange, LaneResponse.Streamed streamed) throws Exception {
        exchange.sendResponseHeaders(streamed.status(), 0);
        BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
        Flow.Subscription[] subscription = new Flow.Subscription[1];
        streamed.body().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription[0] = s;
                s.request(1);
            }

            @Override
            public void onNext(Body item) {
                signals.add(item);
            }

            @Override
            public void onError(Throwable throwable) {
                signals.add(throwable);
            }

            @Override
            public void onComplete() {
                signals.add(END);
            }
        });
        OutputStream out = exchange.getResponseBody();
        while (true) {
            Object signal = signals.poll(60, TimeUnit.SECONDS);
            if (signal == null || signal == END) {
                return;
            }
            if (signal instanceof Throwable) {
                // Like the lane: no terminating chunk, the connection is cut.
                throw new IOException("stream failed");
            }
            try {
                out.write(((Body) signal).toByteArray());
                out.flush();
            } catch (IOException e) {
                subscription[0].cancel();
                return;
            }
            subscription[0].request(1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
