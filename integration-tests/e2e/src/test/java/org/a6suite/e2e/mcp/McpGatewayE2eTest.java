package org.a6suite.e2e.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * mcp-gateway end to end: the official MCP Java SDK client -> APISIX emulator -> A6 over a unix socket -> runner ->
 * plugin -> REST backend and an SDK-built upstream MCP server. Two independent gateways (emulator + runner each, like
 * two APISIX nodes) share only the key ring.
 */
class McpGatewayE2eTest {

    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    @TempDir
    static Path dirA;
    @TempDir
    static Path dirB;

    static RestToolBackend backend;
    static UpstreamMcpServer upstream;
    static GatewayHarness nodeA;
    static GatewayHarness nodeB;
    static final HttpClient http = HttpClient.newHttpClient();
    static final JsonMapper json = JsonMapper.builder().build();

    static String value() {
        return """
                {"pageSize":2,
                 "session":{"keys":[{"id":"k1","env":"MCP_K1"}],"audience":"mcp-e2e"},
                 "backends":[{"name":"shop","baseUrl":"%s/api","timeoutMs":3000}],
                 "tools":[{"name":"orders_get","backend":"shop","method":"GET","path":"/orders/{id}",
                   "inputSchema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
                   "outputSchema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}}],
                 "upstreams":[{"name":"calc","url":"%s","catalogTtlSeconds":0}]}"""
                .formatted(backend.baseUri(), upstream.endpoint());
    }

    static GatewayHarness node(Path dir) {
        return GatewayHarness.builder(dir).plugin(new McpGatewayPlugin()).env("MCP_K1", KEY)
                .route("mcp", ApisixRoutes.uri("/mcp").preReq(McpGatewayPlugin.NAME, value()).toJson())
                .start();
    }

    @BeforeAll
    static void start() {
        backend = RestToolBackend.start();
        upstream = UpstreamMcpServer.start(0);
        nodeA = node(dirA);
        nodeB = node(dirB);
    }

    @AfterAll
    static void stop() {
        nodeA.close();
        nodeB.close();
        upstream.close();
        backend.close();
    }

    @Test
    void shouldServeTheOfficialSdkClientThroughTheEmulator() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder(nodeA.baseUri().toString()).endpoint("/mcp").build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build()) {
            assertThat(client.initialize().protocolVersion()).isEqualTo("2025-11-25");
            List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertThat(names).containsExactly("calc_add", "calc_echo", "calc_fail", "orders_get");

            McpSchema.CallToolResult order = client.callTool(new McpSchema.CallToolRequest("orders_get",
                    Map.of("id", "e2e-1")));
            assertThat(order.isError()).isFalse();
            assertThat(order.structuredContent()).isInstanceOfSatisfying(Map.class,
                    m -> assertThat(m.get("id")).isEqualTo("e2e-1"));

            McpSchema.CallToolResult sum = client.callTool(new McpSchema.CallToolRequest("calc_add",
                    Map.of("a", 1, "b", 2)));
            assertThat(((McpSchema.TextContent) sum.content().get(0)).text()).isEqualTo("3");

            upstream.restart();
            McpSchema.CallToolResult echo = client.callTool(new McpSchema.CallToolRequest("calc_echo",
                    Map.of("text", "after restart")));
            assertThat(((McpSchema.TextContent) echo.content().get(0)).text()).isEqualTo("after restart");
        }
    }

    @Test
    void shouldKeepOneSessionAcrossTwoGatewayNodesAndRefuseTamperedIds() throws Exception {
        HttpResponse<String> init = post(nodeA.baseUri(), null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        assertThat(init.statusCode()).isEqualTo(200);
        assertThat(init.headers().firstValue("content-type")).contains("application/json");
        String session = init.headers().firstValue("mcp-session-id").orElseThrow();

        assertThat(post(nodeB.baseUri(), session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .statusCode()).isEqualTo(202);
        for (int i = 0; i < 4; i++) {
            URI node = i % 2 == 0 ? nodeA.baseUri() : nodeB.baseUri();
            HttpResponse<String> call = post(node, session, """
                    {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"calc_add",
                     "arguments":{"a":%d,"b":1}}}""".formatted(10 + i, i));
            assertThat(call.statusCode()).isEqualTo(200);
            JsonNode result = json.readTree(call.body()).path("result");
            assertThat(result.path("content").get(0).path("text").asString()).isEqualTo(Integer.toString(i + 1));
        }

        HttpResponse<String> tampered = post(nodeB.baseUri(), session.substring(0, session.length() - 4) + "AAAA",
                "{\"jsonrpc\":\"2.0\",\"id\":20,\"method\":\"ping\"}");
        assertThat(tampered.statusCode()).isEqualTo(404);
        HttpResponse<String> batch = post(nodeA.baseUri(), session, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");
        assertThat(batch.statusCode()).isEqualTo(400);
        assertThat(json.readTree(batch.body()).path("error").path("code").asInt()).isEqualTo(-32600);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(nodeA.baseUri().resolve("/mcp"))
                .header("accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    static HttpResponse<String> post(URI base, String session, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/mcp"))
                .header("accept", "application/json, text/event-stream")
                .header("content-type", "application/json")
                .header("mcp-protocol-version", "2025-06-18")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("mcp-session-id", session);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
