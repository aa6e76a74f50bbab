package org.a6suite.mcp;

import static org.a6suite.mcp.support.McpRequests.initialize;
import static org.a6suite.mcp.support.McpRequests.post;
import static org.a6suite.mcp.support.McpRequests.request;
import static org.a6suite.mcp.support.McpRequests.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.a6suite.mcp.support.McpRequests.Answer;
import org.a6suite.plugin.testing.ManualClock;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.mcp.RestToolBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route offering only REST tools (no upstream, no REST resources or prompts): clients that call the list methods and
 * {@code logging/setLevel} without checking capabilities (the MCP conformance suite does) get honest empty answers,
 * while methods that name a target still say it does not exist.
 */
class ToolsOnlyRouteTest {

    static final String K1 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    RestToolBackend backend;
    TestPluginEnvironment env;
    McpGatewayPlugin plugin;
    McpGatewayConfig config;

    @BeforeEach
    void setUp() throws Exception {
        backend = RestToolBackend.start();
        env = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env.setenv("MCP_K1", K1);
        plugin = new McpGatewayPlugin();
        plugin.start(env);
        config = plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "backends":[{"name":"shop","base_url":"%s/api"}],
                 "tools":[{"name":"orders_get","backend":"shop","method":"GET","path":"/orders/{id}"}]}""".formatted(backend.baseUri()));
    }

    @AfterEach
    void tearDown() {
        plugin.close();
        env.close();
        backend.close();
    }

    private String open() {
        Answer init = send(plugin, config, post(initialize(1)));
        assertThat(init.result().path("capabilities").has("prompts")).isFalse();
        return init.header("mcp-session-id").orElseThrow();
    }

    private Answer rpc(String session, String body) {
        return send(plugin, config, post(body, "mcp-session-id", session));
    }

    @Test
    void shouldAnswerEmptyListsWhenNothingOffersResourcesOrPrompts() {
        String session = open();

        assertThat(rpc(session, request(2, "resources/list", "{}")).result().toString())
                .isEqualTo("{\"resources\":[]}");
        assertThat(rpc(session, request(3, "resources/templates/list", null))
                        .result()
                        .toString())
                .isEqualTo("{\"resourceTemplates\":[]}");
        assertThat(rpc(session, request(4, "prompts/list", "{}")).result().toString())
                .isEqualTo("{\"prompts\":[]}");
    }

    @Test
    void shouldRefuseACursorWhenTheListIsEmpty() {
        String session = open();

        Answer stale = rpc(session, request(2, "prompts/list", "{\"cursor\":\"abc\"}"));

        assertThat(stale.error().path("code").asInt()).isEqualTo(-32602);
        assertThat(stale.error().path("message").asString()).contains("prompts/list", "cursor");
    }

    @Test
    void shouldAcceptALogLevelButStillValidateItWhenNothingLogs() {
        String session = open();

        assertThat(rpc(session, request(2, "logging/setLevel", "{\"level\":\"info\"}"))
                        .result()
                        .toString())
                .isEqualTo("{}");
        assertThat(rpc(session, request(3, "logging/setLevel", "{\"level\":\"loud\"}"))
                        .error()
                        .path("code")
                        .asInt())
                .isEqualTo(-32602);
    }

    @Test
    void shouldStillReportUnknownTargetsAsMethodNotFound() {
        String session = open();

        assertThat(rpc(session, request(2, "prompts/get", "{\"name\":\"summary\"}"))
                        .error()
                        .path("code")
                        .asInt())
                .isEqualTo(-32601);
    }
}
