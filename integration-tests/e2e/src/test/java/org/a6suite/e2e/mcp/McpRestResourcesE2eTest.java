package org.a6suite.e2e.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.testing.mcp.RestToolBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REST endpoints as MCP resources and prompt templates, end to end: the official MCP Java SDK client -> APISIX
 * emulator -> A6 over a unix socket -> runner -> mcp-gateway -> REST backend.
 */
class McpRestResourcesE2eTest {

    @TempDir
    static Path dir;

    static RestToolBackend backend;
    static GatewayHarness gateway;

    static String value() {
        return """
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}],"audience":"mcp-rest-e2e"},
                 "backends":[{"name":"shop","base_url":"%s/api","timeout_ms":3000}],
                 "resources":[
                   {"uri_template":"orders://{id}","name":"order","description":"One order",
                    "mime_type":"application/json","backend":"shop","path":"/orders/{id}"},
                   {"uri":"orders://missing","name":"missing_order","backend":"shop","path":"/orders/missing"}],
                 "prompts":[
                   {"name":"order_summary","description":"Summarize an order",
                    "arguments":[{"name":"id","required":true}],
                    "messages":[{"role":"user","text":"Summarize order {id} for the customer."},
                                {"role":"user","resource":"orders://{id}"}]}]}""".formatted(backend.baseUri());
    }

    @BeforeAll
    static void start() {
        backend = RestToolBackend.start();
        gateway = GatewayHarness.builder(dir)
                .plugin(new McpGatewayPlugin())
                .env("MCP_K1", McpGatewayE2eTest.KEY)
                .route(
                        "mcp-rest",
                        ApisixRoutes.uri("/mcp-rest")
                                .preReq(McpGatewayPlugin.NAME, value())
                                .toJson())
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        backend.close();
    }

    @Test
    void shouldReadARestBackedResourceAndPromptWithTheOfficialSdkClient() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        gateway.baseUri().toString())
                .endpoint("/mcp-rest")
                .build();
        try (McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build()) {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.capabilities().resources()).isNotNull();
            assertThat(init.capabilities().prompts()).isNotNull();

            assertThat(client.listResources().resources())
                    .extracting(McpSchema.Resource::uri)
                    .containsExactly("orders://missing");
            assertThat(client.listResourceTemplates().resourceTemplates())
                    .extracting(McpSchema.ResourceTemplate::uriTemplate)
                    .containsExactly("orders://{id}");

            McpSchema.ReadResourceResult read =
                    client.readResource(new McpSchema.ReadResourceRequest("orders://e2e-3"));
            McpSchema.TextResourceContents contents =
                    (McpSchema.TextResourceContents) read.contents().get(0);
            assertThat(contents.uri()).isEqualTo("orders://e2e-3");
            assertThat(contents.mimeType()).isEqualTo("application/json");
            assertThat(contents.text()).contains("\"id\":\"e2e-3\"", "\"status\":\"shipped\"");

            assertThat(client.listPrompts().prompts())
                    .extracting(McpSchema.Prompt::name)
                    .containsExactly("order_summary");
            McpSchema.GetPromptResult prompt =
                    client.getPrompt(new McpSchema.GetPromptRequest("order_summary", Map.of("id", "e2e-4")));
            assertThat(((McpSchema.TextContent) prompt.messages().get(0).content()).text())
                    .isEqualTo("Summarize order e2e-4 for the customer.");
            McpSchema.EmbeddedResource embedded =
                    (McpSchema.EmbeddedResource) prompt.messages().get(1).content();
            assertThat(((McpSchema.TextResourceContents) embedded.resource()).text())
                    .contains("\"id\":\"e2e-4\"");

            assertThatThrownBy(() -> client.readResource(new McpSchema.ReadResourceRequest("orders://missing")))
                    .isInstanceOfSatisfying(
                            McpError.class,
                            e -> assertThat(e.getJsonRpcError().code()).isEqualTo(-32002));
        }
        assertThat(backend.requests())
                .contains("GET /api/orders/e2e-3", "GET /api/orders/e2e-4", "GET /api/orders/missing");
    }
}
