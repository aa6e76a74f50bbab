package org.a6suite.mcp;

import static org.a6suite.mcp.support.McpRequests.initialize;
import static org.a6suite.mcp.support.McpRequests.post;
import static org.a6suite.mcp.support.McpRequests.request;
import static org.a6suite.mcp.support.McpRequests.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.a6suite.mcp.support.McpRequests.Answer;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.testing.ManualClock;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** REST endpoints as resources and prompt templates, alone and merged with a federated upstream's. */
class RestResourcesTest {

    static RestToolBackend backend;
    static UpstreamMcpServer docs;

    TestPluginEnvironment env;
    McpGatewayPlugin plugin;

    @BeforeAll
    static void startServers() {
        backend = RestToolBackend.start();
        docs = UpstreamMcpServer.startWithAllFeatures("docs");
    }

    @AfterAll
    static void stopServers() {
        backend.close();
        docs.close();
    }

    @BeforeEach
    void setUp() {
        env = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env.setenv("MCP_K1", McpGatewayPluginTest.K1);
        plugin = new McpGatewayPlugin();
        plugin.start(env);
        backend.clearRequests();
    }

    @AfterEach
    void tearDown() {
        plugin.close();
        env.close();
    }

    static final String RESOURCES = """
            "resources":[
              {"uri_template":"orders://{id}","name":"order","title":"Order","description":"One order",
               "mime_type":"application/json","backend":"shop","path":"/orders/{id}"},
              {"uri":"orders://missing","name":"missing_order","backend":"shop","path":"/orders/missing"},
              {"uri_template":"status://{id}","name":"order_status","backend":"shop","path":"/orders/{id}",
               "response":{"pointer":"/status"}}],
            "prompts":[
              {"name":"order_summary","description":"Summarize an order",
               "arguments":[{"name":"id","description":"order id","required":true},{"name":"tone"}],
               "messages":[{"role":"user","text":"Summarize order {id}{tone}."},
                           {"role":"user","resource":"orders://{id}"}]}]""";

    McpGatewayConfig config(String extra) throws PluginConfigException {
        return plugin.parseConfig("""
                {"principal":{"var":null,"header":"x-consumer"},
                 "session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "backends":[{"name":"shop","base_url":"%s/api"}],
                 %s%s}""".formatted(backend.baseUri(), RESOURCES, extra));
    }

    String open(McpGatewayConfig config, String consumer) {
        Answer init = send(plugin, config, post(initialize(1), "x-consumer", consumer));
        return init.header("mcp-session-id").orElseThrow();
    }

    Answer rpc(McpGatewayConfig config, String session, String consumer, String body) {
        return send(plugin, config, post(body, "mcp-session-id", session, "x-consumer", consumer));
    }

    @Test
    void shouldOfferResourcesPromptsAndCompletionsWhenTheRouteDeclaresThem() throws Exception {
        Answer init = send(plugin, config(""), post(initialize(1)));

        assertThat(init.result().path("capabilities").toString())
                .isEqualTo("{\"tools\":{\"listChanged\":false},"
                        + "\"resources\":{\"subscribe\":false,\"listChanged\":false},\"prompts\":{\"listChanged\":false},"
                        + "\"completions\":{}}");
    }

    @Test
    void shouldListAndReadRestResourcesAsTheBackendAnswers() throws Exception {
        McpGatewayConfig config = config("");
        String session = open(config, "bob");

        JsonNode templates = rpc(config, session, "bob", request(2, "resources/templates/list", null))
                .result();
        JsonNode resources =
                rpc(config, session, "bob", request(3, "resources/list", null)).result();
        JsonNode read = rpc(config, session, "bob", request(4, "resources/read", "{\"uri\":\"orders://o-7\"}"))
                .result();
        JsonNode status = rpc(config, session, "bob", request(5, "resources/read", "{\"uri\":\"status://o%2F8\"}"))
                .result();

        assertThat(templates.path("resourceTemplates").toString())
                .isEqualTo("[{\"uriTemplate\":\"orders://{id}\","
                        + "\"name\":\"order\",\"title\":\"Order\",\"description\":\"One order\",\"mimeType\":"
                        + "\"application/json\"},{\"uriTemplate\":\"status://{id}\",\"name\":\"order_status\"}]");
        assertThat(resources.path("resources").toString())
                .isEqualTo("[{\"uri\":\"orders://missing\",\"name\":\"missing_order\"}]");
        JsonNode content = read.path("contents").get(0);
        assertThat(content.path("uri").asString()).isEqualTo("orders://o-7");
        assertThat(content.path("mimeType").asString()).isEqualTo("application/json");
        assertThat(content.path("text").asString()).contains("\"id\":\"o-7\"", "\"status\":\"shipped\"");
        assertThat(status.path("contents").get(0).path("text").asString()).isEqualTo("shipped");
        assertThat(backend.requests()).containsExactly("GET /api/orders/o-7", "GET /api/orders/o%2F8");
    }

    @Test
    void shouldAnswerResourceNotFoundForA404OrAnUnknownUri() throws Exception {
        McpGatewayConfig config = config("");
        String session = open(config, "bob");

        JsonNode missing = rpc(config, session, "bob", request(2, "resources/read", "{\"uri\":\"orders://missing\"}"))
                .error();
        JsonNode unknown = rpc(config, session, "bob", request(3, "resources/read", "{\"uri\":\"nope://x\"}"))
                .error();
        JsonNode subscribe = rpc(
                        config, session, "bob", request(4, "resources/subscribe", "{\"uri\":\"orders://o-1\"}"))
                .error();

        assertThat(missing.path("code").asInt()).isEqualTo(-32002);
        assertThat(missing.path("data").path("uri").asString()).isEqualTo("orders://missing");
        assertThat(unknown.path("code").asInt())
                .as("no upstream offers resources either")
                .isEqualTo(-32601);
        assertThat(subscribe.path("message").asString()).contains("REST resource", "no update notifications");
    }

    @Test
    void shouldRenderAPromptTemplateWithItsEmbeddedRestResource() throws Exception {
        McpGatewayConfig config = config("");
        String session = open(config, "bob");

        JsonNode list =
                rpc(config, session, "bob", request(2, "prompts/list", null)).result();
        JsonNode got = rpc(
                        config,
                        session,
                        "bob",
                        request(3, "prompts/get", "{\"name\":\"order_summary\",\"arguments\":{\"id\":\"o-9\"}}"))
                .result();
        JsonNode missingArg = rpc(
                        config,
                        session,
                        "bob",
                        request(4, "prompts/get", "{\"name\":\"order_summary\",\"arguments\":{}}"))
                .error();

        assertThat(list.path("prompts").toString())
                .isEqualTo("[{\"name\":\"order_summary\",\"description\":"
                        + "\"Summarize an order\",\"arguments\":[{\"name\":\"id\",\"description\":\"order id\",\"required\":"
                        + "true},{\"name\":\"tone\",\"required\":false}]}]");
        assertThat(got.path("messages").get(0).path("content").path("text").asString())
                .isEqualTo("Summarize order o-9.");
        JsonNode embedded = got.path("messages").get(1).path("content");
        assertThat(embedded.path("type").asString()).isEqualTo("resource");
        assertThat(embedded.path("resource").path("uri").asString()).isEqualTo("orders://o-9");
        assertThat(embedded.path("resource").path("text").asString()).contains("\"id\":\"o-9\"");
        assertThat(missingArg.path("code").asInt()).isEqualTo(-32602);
        assertThat(missingArg.path("message").asString())
                .isEqualTo("prompts/get: argument id is required by prompt " + "order_summary");
    }

    @Test
    void shouldApplyAccessRulesAndRateLimitsToRestResourcesAndPrompts() throws Exception {
        McpGatewayConfig config = config("""
                ,"access":{"rules":[{"tools":["orders://secret*","order_summary"],"deny":["bob"]}]},
                 "rate_limits":[{"tools":["orders://*"],"methods":["resources/read"],"per_second":0.001,"burst":1}]""");
        String session = open(config, "bob");

        JsonNode hidden = rpc(config, session, "bob", request(2, "resources/read", "{\"uri\":\"orders://secret-1\"}"))
                .error();
        JsonNode prompts =
                rpc(config, session, "bob", request(3, "prompts/list", null)).result();
        JsonNode prompt = rpc(
                        config,
                        session,
                        "bob",
                        request(4, "prompts/get", "{\"name\":\"order_summary\",\"arguments\":{\"id\":\"o-1\"}}"))
                .error();
        JsonNode first = rpc(config, session, "bob", request(5, "resources/read", "{\"uri\":\"orders://o-1\"}"))
                .result();
        JsonNode second = rpc(config, session, "bob", request(6, "resources/read", "{\"uri\":\"orders://o-1\"}"))
                .error();

        assertThat(hidden.path("code").asInt()).isEqualTo(-32002);
        assertThat(backend.requests()).containsExactly("GET /api/orders/o-1");
        assertThat(prompt.path("message").asString()).isEqualTo("unknown prompt: order_summary");
        assertThat(first.path("contents").isArray()).isTrue();
        assertThat(second.path("code").asInt()).isEqualTo(-32000);
        assertThat(env.sum(
                        "a6_mcp_requests_total",
                        Map.of("method", "resources/read", "outcome", "ok", "upstream", "rest")))
                .isPositive();
        assertThat(prompts.path("prompts").isEmpty())
                .as("the hidden prompt is not listed")
                .isTrue();
    }

    @Test
    void shouldListTheRoutesOwnItemsFirstThenTheUpstreams() throws Exception {
        McpGatewayConfig config = config(",\"upstreams\":[{\"name\":\"docs\",\"url\":\"" + docs.endpoint() + "\"}]");
        String session = open(config, "bob");

        JsonNode resources =
                rpc(config, session, "bob", request(2, "resources/list", null)).result();
        JsonNode prompts =
                rpc(config, session, "bob", request(3, "prompts/list", null)).result();
        JsonNode upstreamRead = rpc(
                        config,
                        session,
                        "bob",
                        request(4, "resources/read", "{\"uri\":\"docs+file:///docs/readme.md\"}"))
                .result();

        List<String> uris = new ArrayList<>();
        resources.path("resources").forEach(r -> uris.add(r.path("uri").asString()));
        assertThat(uris.getFirst()).isEqualTo("orders://missing");
        assertThat(uris.subList(1, uris.size()))
                .containsExactlyInAnyOrder("docs+file:///docs/readme.md", "docs+file:///docs/notes.txt");
        List<String> names = new ArrayList<>();
        prompts.path("prompts").forEach(p -> names.add(p.path("name").asString()));
        assertThat(names.getFirst()).isEqualTo("order_summary");
        assertThat(names.subList(1, names.size())).containsExactlyInAnyOrder("docs_greet", "docs_summarize");
        assertThat(upstreamRead.path("contents").get(0).path("text").asString()).isEqualTo("docs says: readme.md");
    }

    @Test
    void shouldRefuseResourceAndPromptDeclarationsThatCannotWork() {
        assertThatThrownBy(() -> plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},"backends":[{"name":"shop","base_url":"http://h/api"}],
                 "resources":[{"uri_template":"orders://{id}","name":"o","backend":"shop","path":"/o/{other}"}]}"""))
                .hasMessage("resources[0].path: /o/{other} (expected: placeholders that are variables of the "
                        + "uri_template [id])");
        assertThatThrownBy(() -> plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},"backends":[{"name":"shop","base_url":"http://h/api"}],
                 "resources":[{"uri":"orders://{id}","name":"o","backend":"shop","path":"/o"}]}"""))
                .hasMessageStartingWith("resources[0].uri: orders://{id} (expected: a URI with a scheme");
        assertThatThrownBy(() -> plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "prompts":[{"name":"p","messages":[{"text":"hello {who}"}]}]}"""))
                .hasMessage("prompts[0].messages[0]: {who} (expected: placeholders naming declared arguments [])");
        assertThatThrownBy(() -> plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "upstreams":[{"name":"calc","url":"http://h/mcp"}],
                 "prompts":[{"name":"calc_p","messages":[{"text":"hi"}]}]}"""))
                .hasMessageStartingWith("prompts[0].name: calc_p (expected: a name outside upstream calc's prefix");
        assertThatThrownBy(() -> plugin.parseConfig("""
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "prompts":[{"name":"p","messages":[{"resource":"orders://{x}"}],"arguments":[{"name":"x"}]}]}"""))
                .hasMessageStartingWith("prompts[0].messages[0].resource: orders://{x} (expected: the uri or "
                        + "uri_template of one of resources[]");
    }
}
