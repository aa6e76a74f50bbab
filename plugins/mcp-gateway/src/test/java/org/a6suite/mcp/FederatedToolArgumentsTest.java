package org.a6suite.mcp;

import static org.a6suite.mcp.support.McpRequests.call;
import static org.a6suite.mcp.support.McpRequests.initialize;
import static org.a6suite.mcp.support.McpRequests.post;
import static org.a6suite.mcp.support.McpRequests.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.a6suite.mcp.internal.FederatedToolSchemas;
import org.a6suite.plugin.testing.ManualClock;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Federated tools' arguments are checked at the gateway; upstream errors read as the client's names. */
class FederatedToolArgumentsTest {

    private UpstreamMcpServer upstream;
    private TestPluginEnvironment env;
    private McpGatewayPlugin plugin;
    private McpGatewayConfig config;

    @BeforeEach
    void setUp() throws Exception {
        upstream = UpstreamMcpServer.start(0);
        env = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env.setenv("MCP_K1", McpGatewayPluginTest.K1);
        plugin = new McpGatewayPlugin();
        plugin.start(env);
        config = plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "upstreams":[{"name":"calc","url":"%s","prefix":"calc_"}]}""".formatted(upstream.endpoint()));
    }

    @AfterEach
    void tearDown() {
        plugin.close();
        env.close();
        upstream.close();
    }

    @Test
    void shouldRefuseArgumentsViolatingTheUpstreamsSchemaWithoutCallingIt() {
        String session = send(plugin, config, post(initialize(1)))
                .header("mcp-session-id")
                .orElseThrow();

        JsonNode bad = send(plugin, config, post(call(2, "calc_add", "{\"a\":\"two\"}"), "mcp-session-id", session))
                .result();
        JsonNode good = send(plugin, config, post(call(3, "calc_add", "{\"a\":2,\"b\":3}"), "mcp-session-id", session))
                .result();

        assertThat(bad.path("isError").asBoolean()).isTrue();
        String text = bad.path("content").get(0).path("text").asString();
        assertThat(text).startsWith("invalid arguments for calc_add: ").contains("/a");
        assertThat(text).doesNotContain("tool add ", "'add'");
        assertThat(good.path("content").get(0).path("text").asString()).isEqualTo("5");
        assertThat(upstream.toolCalls())
                .as("only the valid call reached the upstream")
                .isEqualTo(1);
    }

    @Test
    void shouldMakeUpstreamErrorsReadableWithTheClientsToolName() {
        assertThat(FederatedToolSchemas.readable(
                        "java.lang.IllegalStateException: Tool add failed: boom", "add", "calc_add"))
                .isEqualTo("Tool calc_add failed: boom");
        assertThat(FederatedToolSchemas.readable(
                        "io.modelcontextprotocol.spec.McpError: java.lang.RuntimeException:" + " Unknown tool: add",
                        "add",
                        "calc_add"))
                .isEqualTo("Unknown tool: calc_add");
        assertThat(FederatedToolSchemas.readable("java.lang.NullPointerException", "add", "calc_add"))
                .isEqualTo("the upstream failed without a message");
        assertThat(FederatedToolSchemas.readable("adder and add_x stay; add goes", "add", "calc_add"))
                .isEqualTo("adder and add_x stay; calc_add goes");
    }
}
