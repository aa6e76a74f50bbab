package org.a6suite.mcp;

import static org.a6suite.mcp.support.McpRequests.call;
import static org.a6suite.mcp.support.McpRequests.initialize;
import static org.a6suite.mcp.support.McpRequests.post;
import static org.a6suite.mcp.support.McpRequests.send;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Instant;
import org.a6suite.plugin.testing.ManualClock;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.mcp.RestToolBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/** A backend answer that does not fit the declared outputSchema is returned and logged, never made an error. */
class OutputValidationTest {

    private RestToolBackend backend;
    private TestPluginEnvironment env;
    private McpGatewayPlugin plugin;
    private final ListAppender<ILoggingEvent> callLog = new ListAppender<>();
    private final Logger callLogger = (Logger) LoggerFactory.getLogger("org.a6suite.mcp.calls");

    @BeforeEach
    void setUp() {
        backend = RestToolBackend.start();
        env = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env.setenv("MCP_K1", McpGatewayPluginTest.K1);
        plugin = new McpGatewayPlugin();
        plugin.start(env);
        callLog.start();
        callLogger.addAppender(callLog);
    }

    @AfterEach
    void tearDown() {
        callLogger.detachAppender(callLog);
        plugin.close();
        env.close();
        backend.close();
    }

    @Test
    void shouldReturnTheResultAndLogAWarningWhenAPostAnswerHasANullTheSchemaDoesNotAdmit() throws Exception {
        McpGatewayConfig config = plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "backends":[{"name":"shop","base_url":"%s/api"}],
                 "tools":[{"name":"orders_create","backend":"shop","method":"POST","path":"/orders",
                   "input_schema":{"type":"object","properties":{"item":{"type":"string"},"note":{}}},
                   "output_schema":{"type":"object","properties":{"id":{"type":"string"},"note":{"type":"string"}},
                                   "required":["id"]}}]}""".formatted(backend.baseUri()));
        String session = send(plugin, config, post(initialize(1)))
                .header("mcp-session-id")
                .orElseThrow();

        JsonNode result = send(
                        plugin,
                        config,
                        post(call(2, "orders_create", "{\"item\":\"book\",\"note\":null}"), "mcp-session-id", session))
                .result();

        assertThat(backend.requests()).containsExactly("POST /api/orders");
        assertThat(result.path("isError").asBoolean())
                .as("the order exists: no error, so no retry")
                .isFalse();
        assertThat(result.path("structuredContent").path("id").asString()).isEqualTo("o-1");
        assertThat(result.path("structuredContent").path("note").isNull()).isTrue();
        assertThat(callLog.list).anySatisfy(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage())
                    .contains("tool=orders_create", "backend=shop", "does not match the outputSchema", "note");
        });
    }

    @Test
    void shouldReturnANonObjectAnswerAsTextWithAWarning() throws Exception {
        McpGatewayConfig config = plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "backends":[{"name":"shop","base_url":"%s/api"}],
                 "tools":[{"name":"big","backend":"shop","method":"GET","path":"/big",
                   "output_schema":{"type":"object"}}]}""".formatted(backend.baseUri()));
        String session = send(plugin, config, post(initialize(1)))
                .header("mcp-session-id")
                .orElseThrow();

        JsonNode result = send(plugin, config, post(call(2, "big", "{}"), "mcp-session-id", session))
                .result();

        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("content").get(0).path("text").asString()).startsWith("\"xxx");
        assertThat(callLog.list)
                .anySatisfy(
                        event -> assertThat(event.getFormattedMessage()).contains("tool=big", "is not a JSON object"));
    }
}
