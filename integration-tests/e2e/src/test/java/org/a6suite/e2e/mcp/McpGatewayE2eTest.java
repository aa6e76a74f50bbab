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
import java.util.ArrayList;
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
 * plugin -> REST backend and SDK-built upstream MCP servers (one with tools only on {@code /mcp}, two offering every
 * server feature on {@code /mcp-all}). Two independent gateways (emulator + runner each, like two APISIX nodes) share
 * only the key ring.
 */
class McpGatewayE2eTest {

    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    @TempDir
    static Path dirA;

    @TempDir
    static Path dirB;

    static RestToolBackend backend;
    static UpstreamMcpServer upstream;
    static UpstreamMcpServer north;
    static UpstreamMcpServer south;
    static GatewayHarness nodeA;
    static GatewayHarness nodeB;
    static final HttpClient http = HttpClient.newHttpClient();
    static final JsonMapper json = JsonMapper.builder().build();

    static String value() {
        return """
                {"page_size":2,
                 "session":{"keys":[{"id":"k1","env":"MCP_K1"}],"audience":"mcp-e2e"},
                 "backends":[{"name":"shop","base_url":"%s/api","timeout_ms":3000}],
                 "tools":[{"name":"orders_get","backend":"shop","method":"GET","path":"/orders/{id}",
                   "input_schema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]},
                   "output_schema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}}],
                 "upstreams":[{"name":"calc","url":"%s","catalog_ttl_ms":0}]}""".formatted(backend.baseUri(), upstream.endpoint());
    }

    /** Two upstreams offering every server feature: resources, templates, prompts, completions, logging. */
    static String allFeatures() {
        return """
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}],"audience":"mcp-e2e-all"},
                 "upstreams":[{"name":"north","url":"%s"},{"name":"south","url":"%s"}]}""".formatted(north.endpoint(), south.endpoint());
    }

    static GatewayHarness node(Path dir) {
        return GatewayHarness.builder(dir)
                .plugin(new McpGatewayPlugin())
                .env("MCP_K1", KEY)
                .route(
                        "mcp",
                        ApisixRoutes.uri("/mcp")
                                .preReq(McpGatewayPlugin.NAME, value())
                                .toJson())
                .route(
                        "mcp-all",
                        ApisixRoutes.uri("/mcp-all")
                                .preReq(McpGatewayPlugin.NAME, allFeatures())
                                .toJson())
                .start();
    }

    @BeforeAll
    static void start() {
        backend = RestToolBackend.start();
        upstream = UpstreamMcpServer.start(0);
        north = UpstreamMcpServer.startWithAllFeatures("north");
        south = UpstreamMcpServer.startWithAllFeatures("south");
        nodeA = node(dirA);
        nodeB = node(dirB);
    }

    @AfterAll
    static void stop() {
        nodeA.close();
        nodeB.close();
        upstream.close();
        north.close();
        south.close();
        backend.close();
    }

    @Test
    void shouldServeTheOfficialSdkClientThroughTheEmulator() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        nodeA.baseUri().toString())
                .endpoint("/mcp")
                .build();
        try (McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build()) {
            assertThat(client.initialize().protocolVersion()).isEqualTo("2025-11-25");
            List<String> names = client.listTools().tools().stream()
                    .map(McpSchema.Tool::name)
                    .toList();
            assertThat(names).containsExactly("calc_add", "calc_echo", "calc_fail", "orders_get");

            McpSchema.CallToolResult order =
                    client.callTool(new McpSchema.CallToolRequest("orders_get", Map.of("id", "e2e-1")));
            assertThat(order.isError()).isFalse();
            assertThat(order.structuredContent())
                    .isInstanceOfSatisfying(
                            Map.class, m -> assertThat(m.get("id")).isEqualTo("e2e-1"));

            McpSchema.CallToolResult sum =
                    client.callTool(new McpSchema.CallToolRequest("calc_add", Map.of("a", 1, "b", 2)));
            assertThat(((McpSchema.TextContent) sum.content().get(0)).text()).isEqualTo("3");

            upstream.restart();
            McpSchema.CallToolResult echo =
                    client.callTool(new McpSchema.CallToolRequest("calc_echo", Map.of("text", "after restart")));
            assertThat(((McpSchema.TextContent) echo.content().get(0)).text()).isEqualTo("after restart");
        }
    }

    @Test
    void shouldFederateEveryServerFeatureOfTwoUpstreamsForTheOfficialSdkClient() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        nodeA.baseUri().toString())
                .endpoint("/mcp-all")
                .build();
        try (McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build()) {
            McpSchema.ServerCapabilities caps = client.initialize().capabilities();
            assertThat(caps.resources().subscribe()).isTrue();
            assertThat(caps.prompts()).isNotNull();
            assertThat(caps.completions()).isNotNull();
            assertThat(caps.logging()).isNotNull();

            List<String> uris = new ArrayList<>();
            McpSchema.ListResourcesResult resources = client.listResources();
            uris.addAll(
                    resources.resources().stream().map(McpSchema.Resource::uri).toList());
            for (int page = 0; resources.nextCursor() != null && page < 5; page++) {
                resources = client.listResources(resources.nextCursor());
                uris.addAll(resources.resources().stream()
                        .map(McpSchema.Resource::uri)
                        .toList());
            }
            assertThat(uris)
                    .containsExactlyInAnyOrder(
                            "north+file:///north/readme.md",
                            "north+file:///north/notes.txt",
                            "south+file:///south/readme.md",
                            "south+file:///south/notes.txt");
            McpSchema.ReadResourceResult readme =
                    client.readResource(new McpSchema.ReadResourceRequest("south+file:///south/readme.md"));
            assertThat(((McpSchema.TextResourceContents) readme.contents().get(0)).text())
                    .isEqualTo("south says: readme.md");

            List<String> templates = new ArrayList<>();
            McpSchema.ListResourceTemplatesResult page = client.listResourceTemplates();
            templates.addAll(page.resourceTemplates().stream()
                    .map(McpSchema.ResourceTemplate::uriTemplate)
                    .toList());
            for (int i = 0; page.nextCursor() != null && i < 5; i++) {
                page = client.listResourceTemplates(page.nextCursor());
                templates.addAll(page.resourceTemplates().stream()
                        .map(McpSchema.ResourceTemplate::uriTemplate)
                        .toList());
            }
            assertThat(templates).containsExactly("north+file:///north/docs/{name}", "south+file:///south/docs/{name}");
            McpSchema.ReadResourceResult doc =
                    client.readResource(new McpSchema.ReadResourceRequest("north+file:///north/docs/faq"));
            assertThat(((McpSchema.TextResourceContents) doc.contents().get(0)).text())
                    .isEqualTo("north doc faq");

            List<String> prompts = new ArrayList<>();
            McpSchema.ListPromptsResult promptPage = client.listPrompts();
            prompts.addAll(
                    promptPage.prompts().stream().map(McpSchema.Prompt::name).toList());
            for (int i = 0; promptPage.nextCursor() != null && i < 5; i++) {
                promptPage = client.listPrompts(promptPage.nextCursor());
                prompts.addAll(promptPage.prompts().stream()
                        .map(McpSchema.Prompt::name)
                        .toList());
            }
            assertThat(prompts)
                    .containsExactlyInAnyOrder("north_greet", "north_summarize", "south_greet", "south_summarize");
            McpSchema.GetPromptResult greeting =
                    client.getPrompt(new McpSchema.GetPromptRequest("south_greet", Map.of("name", "Eve")));
            assertThat(((McpSchema.TextContent) greeting.messages().get(0).content()).text())
                    .isEqualTo("Hello Eve from south");

            McpSchema.CompleteResult completed = client.completeCompletion(new McpSchema.CompleteRequest(
                    new McpSchema.PromptReference("north_greet"),
                    new McpSchema.CompleteRequest.CompleteArgument("name", "al")));
            assertThat(completed.completion().values()).containsExactly("alice", "albert");
            McpSchema.CompleteResult docs = client.completeCompletion(new McpSchema.CompleteRequest(
                    new McpSchema.ResourceReference("south+file:///south/docs/{name}"),
                    new McpSchema.CompleteRequest.CompleteArgument("name", "g")));
            assertThat(docs.completion().values()).containsExactly("guide", "glossary");

            client.setLoggingLevel(McpSchema.LoggingLevel.WARNING);
            client.subscribeResource(new McpSchema.SubscribeRequest("north+file:///north/readme.md"));
            client.unsubscribeResource(new McpSchema.UnsubscribeRequest("north+file:///north/readme.md"));
        }
    }

    @Test
    void shouldServeFederatedFeaturesOfOneSessionFromEitherNode() throws Exception {
        HttpResponse<String> init = post(nodeA.baseUri(), "/mcp-all", null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        String session = init.headers().firstValue("mcp-session-id").orElseThrow();
        HttpResponse<String> read = post(nodeB.baseUri(), "/mcp-all", session, """
                {"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"north+file:///north/notes.txt"}}""");
        assertThat(json.readTree(read.body())
                        .path("result")
                        .path("contents")
                        .get(0)
                        .path("text")
                        .asString())
                .isEqualTo("north says: notes.txt");
        HttpResponse<String> unknown = post(nodeB.baseUri(), "/mcp-all", session, """
                {"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"east+file:///x"}}""");
        assertThat(json.readTree(unknown.body()).path("error").path("code").asInt())
                .isEqualTo(-32002);
        HttpResponse<String> toolsOnly = post(
                nodeB.baseUri(),
                "/mcp",
                post(nodeA.baseUri(), "/mcp", null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
                 "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""")
                        .headers()
                        .firstValue("mcp-session-id")
                        .orElseThrow(),
                """
                {"jsonrpc":"2.0","id":4,"method":"prompts/list"}""");
        assertThat(json.readTree(toolsOnly.body()).path("result").toString())
                .as("no upstream offers prompts: the list is empty")
                .isEqualTo("{\"prompts\":[]}");
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
                        .statusCode())
                .isEqualTo(202);
        for (int i = 0; i < 4; i++) {
            URI node = i % 2 == 0 ? nodeA.baseUri() : nodeB.baseUri();
            HttpResponse<String> call = post(node, session, """
                    {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"calc_add",
                     "arguments":{"a":%d,"b":1}}}""".formatted(10 + i, i));
            assertThat(call.statusCode()).isEqualTo(200);
            JsonNode result = json.readTree(call.body()).path("result");
            assertThat(result.path("content").get(0).path("text").asString()).isEqualTo(Integer.toString(i + 1));
        }

        HttpResponse<String> tampered = post(
                nodeB.baseUri(),
                session.substring(0, session.length() - 4) + "AAAA",
                "{\"jsonrpc\":\"2.0\",\"id\":20,\"method\":\"ping\"}");
        assertThat(tampered.statusCode()).isEqualTo(404);
        HttpResponse<String> batch =
                post(nodeA.baseUri(), session, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");
        assertThat(batch.statusCode()).isEqualTo(400);
        assertThat(json.readTree(batch.body()).path("error").path("code").asInt())
                .isEqualTo(-32600);
        HttpResponse<String> get = http.send(
                HttpRequest.newBuilder(nodeA.baseUri().resolve("/mcp"))
                        .header("accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
    }

    static HttpResponse<String> post(URI base, String session, String body) throws Exception {
        return post(base, "/mcp", session, body);
    }

    static HttpResponse<String> post(URI base, String path, String session, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
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
