package org.a6suite.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.a6suite.mcp.support.LoopbackGateway;
import org.a6suite.plugin.testing.ManualClock;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official MCP Java SDK client ({@code HttpClientStreamableHttpTransport}) against the plugin, with requests
 * alternating between two plugin instances ("runners") that share only the key ring.
 */
class OfficialSdkClientTest {

    static RestToolBackend backend;
    static UpstreamMcpServer upstream;
    static TestPluginEnvironment env1;
    static TestPluginEnvironment env2;
    static McpGatewayPlugin plugin1;
    static McpGatewayPlugin plugin2;
    static LoopbackGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = RestToolBackend.start();
        upstream = UpstreamMcpServer.start(5);
        env1 = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env2 = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env1.setenv("MCP_K1", McpGatewayPluginTest.K1);
        env2.setenv("MCP_K1", McpGatewayPluginTest.K1);
        plugin1 = new McpGatewayPlugin();
        plugin1.start(env1);
        plugin2 = new McpGatewayPlugin();
        plugin2.start(env2);
        String config = McpGatewayPluginTest.config(
                "[{\"id\":\"k1\",\"env\":\"MCP_K1\"}]", backend.baseUri(), upstream.endpoint());
        gateway = new LoopbackGateway(
                List.of(
                        new LoopbackGateway.Runner(plugin1, plugin1.parseConfig(config)),
                        new LoopbackGateway.Runner(plugin2, plugin2.parseConfig(config))),
                Map.of("consumer_name", "alice"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        plugin1.close();
        plugin2.close();
        env1.close();
        env2.close();
        backend.close();
        upstream.close();
    }

    static McpSyncClient client() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        gateway.baseUri().toString())
                .endpoint("/mcp")
                .build();
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(20))
                .clientInfo(new McpSchema.Implementation("sdk-test", "1.0"))
                .build();
    }

    @Test
    void shouldListCallAndKeepTheSessionAcrossTwoRunners() {
        try (McpSyncClient client = client()) {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.protocolVersion()).isEqualTo("2025-11-25");
            assertThat(init.serverInfo().name()).isEqualTo("a6-mcp-gateway");

            List<String> names = new ArrayList<>();
            McpSchema.ListToolsResult page = client.listTools();
            int pages = 1;
            names.addAll(page.tools().stream().map(McpSchema.Tool::name).toList());
            while (page.nextCursor() != null && pages < 10) {
                page = client.listTools(page.nextCursor());
                names.addAll(page.tools().stream().map(McpSchema.Tool::name).toList());
                pages++;
            }
            assertThat(names)
                    .hasSize(12)
                    .doesNotHaveDuplicates()
                    .isSorted()
                    .contains("orders_get", "admin_big", "calc_add", "calc_t004");
            // SDK 2.x listTools() itself follows nextCursor over the 4 pages of 3 tools each.
            assertThat(page.nextCursor()).isNull();

            McpSchema.CallToolResult order =
                    client.callTool(new McpSchema.CallToolRequest("orders_get", Map.of("id", "sdk-1")));
            assertThat(order.isError()).isFalse();
            assertThat(order.structuredContent())
                    .isInstanceOfSatisfying(
                            Map.class, m -> assertThat(m.get("id")).isEqualTo("sdk-1"));

            McpSchema.CallToolResult sum =
                    client.callTool(new McpSchema.CallToolRequest("calc_add", Map.of("a", 20, "b", 22)));
            assertThat(((McpSchema.TextContent) sum.content().get(0)).text()).isEqualTo("42");

            McpSchema.CallToolResult invalid =
                    client.callTool(new McpSchema.CallToolRequest("orders_get", Map.of("id", "NOT VALID")));
            assertThat(invalid.isError()).isTrue();

            assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("nope", Map.of())))
                    .hasMessageContaining("unknown tool");

            upstream.restart();
            McpSchema.CallToolResult afterRestart =
                    client.callTool(new McpSchema.CallToolRequest("calc_echo", Map.of("text", "still here")));
            assertThat(((McpSchema.TextContent) afterRestart.content().get(0)).text())
                    .isEqualTo("still here");
        }
        assertThat(gateway.served(0)).isPositive();
        assertThat(gateway.served(1)).isPositive();
    }
}
