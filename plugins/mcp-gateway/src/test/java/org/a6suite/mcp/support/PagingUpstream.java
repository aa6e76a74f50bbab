package org.a6suite.mcp.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * TEST FIXTURE: a minimal MCP server (JSON answers, one session) offering only resources, listed two per page with
 * its own cursors {@code p1}, {@code p2}: {@code mem:///item/0..4}. The SDK server does not page, so this one shows
 * that the gateway passes upstream cursors through. An unknown cursor is the upstream's {@code -32602}.
 */
public final class PagingUpstream implements AutoCloseable {

    private static final int ITEMS = 5;
    private static final int PAGE = 2;

    private final HttpServer server;
    /** Every request's method, in order. */
    public final List<String> methods = new CopyOnWriteArrayList<>();
    /** The {@code cursor} of every resources/list received, {@code ""} for none. */
    public final List<String> cursors = new CopyOnWriteArrayList<>();

    public PagingUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/mcp", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mcp");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode message =
                    McpRequests.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
            if (!message.has("id")) {
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            ObjectNode answer = McpRequests.MAPPER.createObjectNode().put("jsonrpc", "2.0");
            answer.set("id", message.get("id"));
            String method = message.path("method").asString();
            methods.add(method);
            if (method.equals("initialize")) {
                ObjectNode result = answer.putObject("result").put("protocolVersion", "2025-11-25");
                result.putObject("capabilities").putObject("resources");
                result.putObject("serverInfo").put("name", "pager").put("version", "1");
                exchange.getResponseHeaders().add("mcp-session-id", "pager-session");
            } else if (method.equals("resources/list")) {
                String cursor = message.path("params").path("cursor").asString("");
                cursors.add(cursor);
                int start = switch (cursor) {
                    case "" -> 0;
                    case "p1" -> PAGE;
                    case "p2" -> 2 * PAGE;
                    default -> -1;
                };
                if (start < 0) {
                    answer.putObject("error").put("code", -32602).put("message", "bad cursor " + cursor);
                } else {
                    ObjectNode result = answer.putObject("result");
                    ArrayNode resources = result.putArray("resources");
                    for (int i = start; i < Math.min(ITEMS, start + PAGE); i++) {
                        resources.addObject().put("uri", "mem:///item/" + i).put("name", "item" + i);
                    }
                    if (start + PAGE < ITEMS) {
                        result.put("nextCursor", "p" + (start / PAGE + 1));
                    }
                }
            } else {
                answer.putObject("error").put("code", -32601).put("message", "method not found: " + method);
            }
            byte[] body = McpRequests.MAPPER.writeValueAsBytes(answer);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
