package org.a6suite.mcp;

import static org.a6suite.mcp.support.McpRequests.call;
import static org.a6suite.mcp.support.McpRequests.post;
import static org.a6suite.mcp.support.McpRequests.request;
import static org.a6suite.mcp.support.McpRequests.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.a6suite.mcp.support.McpRequests.Answer;
import org.a6suite.plugin.testing.ManualClock;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What the streaming work changed in {@code invoke} mode (whole JSON answers over A6): batches by revision. */
class McpStreamableInvokeModeTest {

    static RestToolBackend backend;
    static UpstreamMcpServer upstream;
    static TestPluginEnvironment env;
    static McpGatewayPlugin plugin;
    static McpGatewayConfig config;

    @BeforeAll
    static void start() throws Exception {
        backend = RestToolBackend.start();
        upstream = UpstreamMcpServer.start(0);
        env = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env.setenv("MCP_K1", McpGatewayPluginTest.K1);
        plugin = new McpGatewayPlugin();
        plugin.start(env);
        config = plugin.parseConfig(McpGatewayPluginTest.config(
                "[{\"id\":\"k1\",\"env\":\"MCP_K1\"}]", backend.baseUri(), upstream.endpoint()));
    }

    @AfterAll
    static void stop() {
        plugin.close();
        env.close();
        backend.close();
        upstream.close();
    }

    private static String open(String version) {
        Answer init = send(
                plugin, config, post("""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s",
                 "capabilities":{"sampling":{}},"clientInfo":{"name":"batch","version":"1"}}}""".formatted(version), "x-consumer", "bob", "mcp-protocol-version", version));
        assertThat(init.result().path("protocolVersion").asString()).isEqualTo(version);
        assertThat(init.result()
                        .path("capabilities")
                        .path("tools")
                        .path("listChanged")
                        .asBoolean())
                .as("invoke mode relays no notifications")
                .isFalse();
        return init.header("mcp-session-id").orElseThrow();
    }

    @Test
    void shouldAnswerABatchAsAnArrayOnA20250326Session() {
        String session = open("2025-03-26");
        String batch = "[" + request(2, "ping", null) + "," + call(3, "calc_echo", "{\"text\":\"x\"}") + ","
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"initialize\",\"params\":{}},"
                + "{\"jsonrpc\":\"1.0\",\"id\":5,\"method\":\"ping\"}]";

        Answer answer = send(
                plugin,
                config,
                post(batch, "x-consumer", "bob", "mcp-session-id", session, "mcp-protocol-version", "2025-03-26"));

        assertThat(answer.status()).isEqualTo(200);
        JsonNode array = answer.json();
        assertThat(array.isArray()).isTrue();
        assertThat(array).hasSize(4);
        assertThat(array.findValues("id").stream().map(JsonNode::asInt)).containsExactlyInAnyOrder(2, 3, 4, 5);
        for (JsonNode response : array) {
            switch (response.path("id").asInt()) {
                case 3 ->
                    assertThat(response.path("result")
                                    .path("content")
                                    .path(0)
                                    .path("text")
                                    .asString())
                            .isEqualTo("x");
                case 4, 5 ->
                    assertThat(response.path("error").path("code").asInt()).isEqualTo(-32600);
                default -> assertThat(response.path("result").isObject()).isTrue();
            }
        }
        Answer onlyNotifications = send(
                plugin,
                config,
                post(
                        "[{\"jsonrpc\":\"2.0\",\"method\":" + "\"notifications/initialized\"}]",
                        "x-consumer",
                        "bob",
                        "mcp-session-id",
                        session,
                        "mcp-protocol-version",
                        "2025-03-26"));
        assertThat(onlyNotifications.status()).isEqualTo(202);
    }

    @Test
    void shouldRefuseABatchOnALaterSessionEvenWithoutTheVersionHeader() {
        String session = open("2025-06-18");

        Answer answer = send(
                plugin,
                config,
                post(
                        "[" + request(2, "ping", null) + "]",
                        "x-consumer",
                        "bob",
                        "mcp-session-id",
                        session,
                        "mcp-protocol-version",
                        null));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error().path("code").asInt()).isEqualTo(-32600);
        assertThat(answer.error().path("message").asString()).contains("2025-06-18");
    }
}
