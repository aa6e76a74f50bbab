package org.a6suite.mcp.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** Drives a plugin instance the way the runner does: one {@link RequestView} in, one {@link RequestDecision} out. */
public final class McpRequests {

    public static final ObjectMapper MAPPER = JsonMapper.builder().build();
    public static final CallContext CONTEXT =
            new CallContext(Optional.of("route#mcp#ext-plugin-pre-req#1"), 1, CallContext.Phase.PRE_REQ);

    private McpRequests() {}

    /** A finished answer. */
    public record Answer(int status, Headers headers, String body) {
        public JsonNode json() {
            return MAPPER.readTree(body);
        }

        public JsonNode result() {
            return json().path("result");
        }

        public JsonNode error() {
            return json().path("error");
        }

        public Optional<String> header(String name) {
            return headers.first(name);
        }
    }

    public static RequestView post(String body, String... extraHeaders) {
        return post(body, Map.of(), extraHeaders);
    }

    public static RequestView post(String body, Map<String, String> vars, String... extraHeaders) {
        List<String> headers = new ArrayList<>(List.of(
                "accept",
                "application/json, text/event-stream",
                "content-type",
                "application/json",
                "mcp-protocol-version",
                "2025-11-25"));
        for (int i = 0; i < extraHeaders.length; i += 2) {
            for (int j = 0; j < headers.size(); j += 2) {
                if (headers.get(j).equals(extraHeaders[i])) {
                    headers.remove(j);
                    headers.remove(j);
                    break;
                }
            }
            if (extraHeaders[i + 1] != null) {
                headers.add(extraHeaders[i]);
                headers.add(extraHeaders[i + 1]);
            }
        }
        return RequestView.builder(HttpMethod.POST, "/mcp")
                .headers(Headers.of(headers.toArray(String[]::new)))
                .vars(vars)
                .body(Body.of(body))
                .build();
    }

    public static Answer send(McpGatewayPlugin plugin, McpGatewayConfig config, RequestView request) {
        try {
            RequestDecision decision = plugin.onRequest(request, config, CONTEXT)
                    .toCompletableFuture()
                    .get(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS);
            RequestDecision.Stop stop = (RequestDecision.Stop) decision;
            return new Answer(
                    stop.status(), stop.headers(), stop.body().map(Body::asUtf8).orElse(""));
        } catch (Exception e) {
            throw new AssertionError("onRequest failed", e);
        }
    }

    public static String initialize(int id) {
        return """
                {"jsonrpc":"2.0","id":%d,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                 "capabilities":{},"clientInfo":{"name":"test-client","version":"1.0"}}}""".formatted(id);
    }

    public static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\""
                + (params == null ? "" : ",\"params\":" + params) + "}";
    }

    public static String call(int id, String tool, String arguments) {
        return request(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}");
    }
}
