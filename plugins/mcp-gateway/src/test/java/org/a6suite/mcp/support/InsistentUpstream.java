package org.a6suite.mcp.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * TEST FIXTURE: a minimal MCP server that asks for sampling whatever the client declared (the SDK server checks
 * the client's capabilities itself, so it cannot show what the gateway does with an undeclared one). Its one tool,
 * {@code ask}, answers with an SSE stream: a {@code sampling/createMessage} request (id {@code "s-1"}), then, once the
 * answer to it was POSTed (or after 10 s), the tool result {@code "answer: <the JSON-RPC answer>"} or
 * {@code "no answer"}. GET is 405.
 */
public final class InsistentUpstream implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private volatile CompletableFuture<JsonNode> answer = new CompletableFuture<>();

    public InsistentUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/mcp", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mcp");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            JsonNode message =
                    McpRequests.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
            if (!message.has("method")) {
                answer.complete(message);
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            if (!message.has("id")) {
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            String method = message.path("method").asString();
            ObjectNode reply = McpRequests.MAPPER.createObjectNode().put("jsonrpc", "2.0");
            reply.set("id", message.get("id"));
            if (method.equals("initialize")) {
                ObjectNode result = reply.putObject("result").put("protocolVersion", "2025-11-25");
                result.putObject("capabilities").putObject("tools");
                result.putObject("serverInfo").put("name", "insistent").put("version", "1");
                json(exchange, reply);
                return;
            }
            if (!method.equals("tools/call")) {
                reply.putObject("error").put("code", -32601).put("message", "method not found: " + method);
                json(exchange, reply);
                return;
            }
            answer = new CompletableFuture<>();
            exchange.getResponseHeaders().add("content-type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(("data: {\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"method\":\"sampling/createMessage\",\"params\":"
                            + "{\"messages\":[],\"maxTokens\":5}}\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            String text;
            try {
                text = "answer: " + answer.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                text = "no answer";
            } catch (Exception e) {
                text = "failed";
            }
            ObjectNode result = reply.putObject("result");
            result.putArray("content").addObject().put("type", "text").put("text", text);
            out.write(("data: " + McpRequests.MAPPER.writeValueAsString(reply) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static void json(HttpExchange exchange, ObjectNode reply) throws IOException {
        byte[] body = McpRequests.MAPPER.writeValueAsBytes(reply);
        exchange.getResponseHeaders().add("content-type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
