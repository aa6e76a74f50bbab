package org.a6suite.mcp;

import static org.a6suite.mcp.support.McpRequests.call;
import static org.a6suite.mcp.support.McpRequests.initialize;
import static org.a6suite.mcp.support.McpRequests.post;
import static org.a6suite.mcp.support.McpRequests.request;
import static org.a6suite.mcp.support.McpRequests.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.a6suite.mcp.support.McpRequests.Answer;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestView;
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

/** The plugin called as the runner calls it, against a real REST backend and a real SDK-built MCP server. */
class McpGatewayPluginTest {

    static final String K1 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    static final String K2 = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    static RestToolBackend backend;
    static UpstreamMcpServer upstream;

    TestPluginEnvironment env;
    McpGatewayPlugin plugin;
    McpGatewayConfig config;

    @BeforeAll
    static void startServers() {
        backend = RestToolBackend.start();
        upstream = UpstreamMcpServer.start(0);
    }

    @AfterAll
    static void stopServers() {
        backend.close();
        upstream.close();
    }

    static String config(String keys) {
        return config(keys, backend.baseUri(), upstream.endpoint());
    }

    /** The route config every plugin-level test uses; the SDK client test shares it with its own servers. */
    static String config(String keys, java.net.URI backendUri, java.net.URI upstreamUri) {
        return """
                {"allowed_origins":["https://app.example"],
                 "page_size":3, "max_result_bytes":8192,
                 "principal":{"var":"consumer_name","header":"x-consumer"},
                 "session":{"keys":%s},
                 "backends":[{"name":"shop","base_url":"%s/api","timeout_ms":3000,"max_attempts":2,
                   "headers":{"authorization":"Bearer shop-token-0123456789"}}],
                 "tools":[
                  {"name":"orders_get","description":"Get an order","backend":"shop","method":"GET","path":"/orders/{id}",
                   "input_schema":{"type":"object","properties":{"id":{"type":"string","pattern":"^[a-z0-9-]+$"}},"required":["id"]},
                   "output_schema":{"type":"object","properties":{"id":{"type":"string"},"status":{"type":"string"},
                                   "total":{"type":"number"}},"required":["id","status"]}},
                  {"name":"orders_create","backend":"shop","method":"POST","path":"/orders",
                   "input_schema":{"type":"object","properties":{"item":{"type":"string"}},"required":["item"]}},
                  {"name":"echo_get","backend":"shop","method":"GET","path":"/echo/{seg}"},
                  {"name":"admin_big","backend":"shop","method":"GET","path":"/big"}],
                 "upstreams":[{"name":"calc","url":"%s","prefix":"calc_","timeout_ms":5000,"catalog_ttl_ms":0}],
                 "access":{"rules":[{"tools":["admin_*"],"allow":["alice"]}]},
                 "rate_limits":[{"tools":["echo_get"],"per_second":1,"burst":2}]}""".formatted(keys, backendUri, upstreamUri);
    }

    McpGatewayPlugin newPlugin(TestPluginEnvironment environment) {
        McpGatewayPlugin p = new McpGatewayPlugin();
        p.start(environment);
        return p;
    }

    @BeforeEach
    void setUp() throws Exception {
        env = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env.setenv("MCP_K1", K1);
        env.setenv("MCP_K2", K2);
        plugin = newPlugin(env);
        config = plugin.parseConfig(config("[{\"id\":\"k1\",\"env\":\"MCP_K1\"}]"));
    }

    @AfterEach
    void tearDown() {
        plugin.close();
        env.close();
    }

    String open(String consumer) {
        Answer init = send(plugin, config, post(initialize(1), "x-consumer", consumer));
        assertThat(init.status()).isEqualTo(200);
        String session = init.header("mcp-session-id").orElseThrow();
        Answer initialized = send(
                plugin,
                config,
                post(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                        "mcp-session-id",
                        session,
                        "x-consumer",
                        consumer));
        assertThat(initialized.status()).isEqualTo(202);
        assertThat(initialized.body()).isEmpty();
        return session;
    }

    Answer rpc(String session, String consumer, String body) {
        return send(plugin, config, post(body, "mcp-session-id", session, "x-consumer", consumer));
    }

    @Test
    void shouldInitializeWithNegotiatedVersionCapabilitiesAndSealedSession() {
        Answer init = send(plugin, config, post(initialize(1)));
        assertThat(init.header("content-type")).contains("application/json");
        JsonNode result = init.result();
        assertThat(result.path("protocolVersion").asString()).isEqualTo("2025-11-25");
        // The tools-only upstream offers no resources, prompts or completions; the SDK server always offers logging.
        assertThat(result.path("capabilities").toString())
                .isEqualTo("{\"tools\":{\"listChanged\":false},\"logging\":{}}");
        assertThat(result.path("serverInfo").path("name").asString()).isEqualTo("a6-mcp-gateway");
        assertThat(init.header("mcp-session-id").orElseThrow()).matches("[\\x21-\\x7E]+");

        String old = initialize(2).replace("2025-11-25", "2025-03-26");
        assertThat(send(plugin, config, post(old))
                        .result()
                        .path("protocolVersion")
                        .asString())
                .isEqualTo("2025-03-26");
        String future = initialize(3).replace("2025-11-25", "2099-01-01");
        assertThat(send(plugin, config, post(future))
                        .result()
                        .path("protocolVersion")
                        .asString())
                .isEqualTo("2025-11-25");
    }

    @Test
    void shouldAnswerPingAndUnknownMethods() {
        String session = open("bob");
        assertThat(rpc(session, "bob", request(5, "ping", null)).json().toString())
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}");
        Answer unknown = rpc(session, "bob", request(6, "resources/list", "{}"));
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(unknown.result().toString())
                .as("no upstream offers resources: the list is empty")
                .isEqualTo("{\"resources\":[]}");
        assertThat(rpc(session, "bob", request(7, "prompts/get", "{\"name\":\"calc_x\"}"))
                        .error()
                        .path("code")
                        .asInt())
                .isEqualTo(-32601);
        assertThat(rpc(session, "bob", request(8, "sampling/createMessage", "{}"))
                        .error()
                        .path("code")
                        .asInt())
                .isEqualTo(-32601);
    }

    @Test
    void shouldRefuseWhatTheTransportForbids() {
        String session = open("bob");
        RequestView get = RequestView.builder(HttpMethod.GET, "/mcp")
                .headers(Headers.of("accept", "text/event-stream", "mcp-session-id", session))
                .build();
        assertThat(send(plugin, config, get).status()).isEqualTo(405);
        assertThat(send(plugin, config, get.toBuilder().method(HttpMethod.PUT).build())
                        .status())
                .isEqualTo(405);
        assertThat(send(plugin, config, post(request(1, "ping", null), "accept", "application/json"))
                        .status())
                .isEqualTo(406);
        assertThat(send(plugin, config, post(request(1, "ping", null), "content-type", "text/plain"))
                        .status())
                .isEqualTo(415);
        assertThat(send(plugin, config, post(initialize(1), "origin", "https://evil.example"))
                        .status())
                .isEqualTo(403);
        assertThat(send(plugin, config, post(initialize(1), "origin", "https://app.example"))
                        .status())
                .isEqualTo(200);
        Answer badVersion = send(
                plugin,
                config,
                post(request(1, "ping", null), "mcp-session-id", session, "mcp-protocol-version", "1999-01-01"));
        assertThat(badVersion.status()).isEqualTo(400);
        assertThat(badVersion.error().path("message").asString()).contains("1999-01-01");
        assertThat(send(
                                plugin,
                                config,
                                post(
                                        request(1, "ping", null),
                                        "mcp-session-id",
                                        session,
                                        "mcp-protocol-version",
                                        null,
                                        "x-consumer",
                                        "bob"))
                        .status())
                .as("absent version: 2025-03-26")
                .isEqualTo(200);
        assertThat(send(plugin, config, post(request(1, "ping", null))).status())
                .as("no session")
                .isEqualTo(400);
        Answer tampered = send(
                plugin,
                config,
                post(request(1, "ping", null), "mcp-session-id", session.substring(0, session.length() - 3) + "AAA"));
        assertThat(tampered.status()).isEqualTo(404);
        Answer parse = send(plugin, config, post("{oops", "mcp-session-id", session));
        assertThat(parse.status()).isEqualTo(400);
        assertThat(parse.error().path("code").asInt()).isEqualTo(-32700);
        Answer batch = send(plugin, config, post("[" + request(1, "ping", null) + "]", "mcp-session-id", session));
        assertThat(batch.status()).isEqualTo(400);
        assertThat(batch.error().path("code").asInt()).isEqualTo(-32600);
        String huge = call(9, "echo_get", "{\"seg\":\"" + "x".repeat(1 << 20) + "\"}");
        assertThat(send(plugin, config, post(huge, "mcp-session-id", session)).status())
                .isEqualTo(413);
    }

    @Test
    void shouldPageTheMergedCatalogDeterministically() {
        String session = open("alice");
        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Answer page = rpc(
                    session,
                    "alice",
                    request(10 + pages, "tools/list", cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}"));
            page.result().path("tools").forEach(t -> {
                names.add(t.path("name").asString());
                assertThat(t.path("inputSchema").path("type").asString()).isEqualTo("object");
            });
            cursor = page.result().path("nextCursor").asString(null);
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(names)
                .containsExactly(
                        "admin_big", "calc_add", "calc_echo", "calc_fail", "echo_get", "orders_create", "orders_get");
        Answer bad = rpc(session, "alice", request(99, "tools/list", "{\"cursor\":\"not-a-cursor\"}"));
        assertThat(bad.error().path("code").asInt()).isEqualTo(-32602);
    }

    @Test
    void shouldHideAndRefuseToolsTheConsumerMayNotUse() {
        String session = open("bob");
        List<String> names = new ArrayList<>();
        String cursor = null;
        for (int i = 0; i < 5; i++) {
            Answer page = rpc(
                    session,
                    "bob",
                    request(i, "tools/list", cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}"));
            page.result().path("tools").forEach(t -> names.add(t.path("name").asString()));
            cursor = page.result().path("nextCursor").asString(null);
            if (cursor == null) {
                break;
            }
        }
        assertThat(names).doesNotContain("admin_big").contains("orders_get");
        Answer denied = rpc(session, "bob", call(3, "admin_big", "{}"));
        assertThat(denied.error().path("code").asInt()).isEqualTo(-32602);
        assertThat(denied.error().path("message").asString()).isEqualTo("unknown tool: admin_big");
        assertThat(rpc(session, "bob", call(4, "no_such_tool", "{}"))
                        .error()
                        .path("code")
                        .asInt())
                .isEqualTo(-32602);
    }

    @Test
    void shouldCallRestToolWithStructuredContentAndMetrics() {
        String session = open("bob");
        JsonNode result =
                rpc(session, "bob", call(2, "orders_get", "{\"id\":\"a-7\"}")).result();
        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("structuredContent").path("id").asString()).isEqualTo("a-7");
        assertThat(result.path("structuredContent").path("total").asDouble()).isEqualTo(42.5);
        assertThat(result.path("content").get(0).path("type").asString()).isEqualTo("text");
        assertThat(result.path("content").get(0).path("text").asString()).contains("\"status\":\"shipped\"");
        assertThat(env.sum("a6_mcp_tool_calls_total", Map.of("tool", "orders_get", "outcome", "ok")))
                .isEqualTo(1.0);
        assertThat(env.outcomes).anySatisfy(o -> assertThat(o.upstreamKey()).isEqualTo("mcp/rest/shop"));

        JsonNode created = rpc(session, "bob", call(3, "orders_create", "{\"item\":\"pen\"}"))
                .result();
        assertThat(created.path("content").get(0).path("text").asString())
                .isEqualTo("{\"item\":\"pen\",\"id\":\"o-1\"}");
    }

    @Test
    void shouldTurnBackendFailuresIntoIsErrorResults() {
        String session = open("alice");
        JsonNode missing = rpc(session, "alice", call(2, "orders_get", "{\"id\":\"missing\"}"))
                .result();
        assertThat(missing.path("isError").asBoolean()).isTrue();
        assertThat(missing.path("content").get(0).path("text").asString()).startsWith("backend shop answered HTTP 404");

        backend.failNext(1, 503);
        JsonNode retried =
                rpc(session, "alice", call(3, "orders_get", "{\"id\":\"r-1\"}")).result();
        assertThat(retried.path("isError").asBoolean())
                .as("GET is retried once")
                .isFalse();

        backend.failNext(1, 503);
        JsonNode notRetried = rpc(session, "alice", call(4, "orders_create", "{\"item\":\"x\"}"))
                .result();
        assertThat(notRetried.path("isError").asBoolean())
                .as("POST is never retried")
                .isTrue();
        assertThat(notRetried.path("content").get(0).path("text").asString())
                .startsWith("backend shop answered HTTP 503")
                .contains("received") // the backend's echo of the request is passed on...
                .doesNotContain("shop-token-0123456789"); // ...without the credential the gateway sent

        JsonNode big = rpc(session, "alice", call(5, "admin_big", "{}")).result();
        assertThat(big.path("isError").asBoolean()).isTrue();
        assertThat(big.path("content").get(0).path("text").asString()).contains("max_result_bytes (8192)");
    }

    @Test
    void shouldValidateArgumentsBeforeAnyBackendCall() {
        String session = open("bob");
        int before = backend.requests().size();
        JsonNode result = rpc(session, "bob", call(2, "orders_get", "{\"id\":\"../../admin\"}"))
                .result();
        assertThat(result.path("isError").asBoolean()).isTrue();
        assertThat(result.path("content").get(0).path("text").asString())
                .startsWith("invalid arguments for orders_get");
        assertThat(rpc(session, "bob", call(3, "orders_get", "{}"))
                        .result()
                        .path("isError")
                        .asBoolean())
                .isTrue();
        assertThat(backend.requests()).hasSize(before);
        Answer malformed = rpc(session, "bob", request(4, "tools/call", "{\"name\":\"orders_get\",\"arguments\":[1]}"));
        assertThat(malformed.error().path("code").asInt()).isEqualTo(-32602);
    }

    @Test
    void shouldNeverLetPathArgumentsReachOtherPaths() {
        String session = open("bob");
        JsonNode echo = rpc(session, "bob", call(2, "echo_get", "{\"seg\":\"../../admin\"}"))
                .result();
        assertThat(echo.path("isError").asBoolean()).isFalse();
        assertThat(echo.path("content").get(0).path("text").asString()).contains("/api/echo/..%2F..%2Fadmin");
        assertThat(backend.adminHits()).isZero();
    }

    @Test
    void shouldRateLimitPerToolWithTheInjectedClock() {
        String session = open("bob");
        assertThat(rpc(session, "bob", call(1, "echo_get", "{\"seg\":\"a\"}"))
                        .result()
                        .path("isError")
                        .asBoolean())
                .isFalse();
        assertThat(rpc(session, "bob", call(2, "echo_get", "{\"seg\":\"a\"}"))
                        .result()
                        .path("isError")
                        .asBoolean())
                .isFalse();
        JsonNode limited =
                rpc(session, "bob", call(3, "echo_get", "{\"seg\":\"a\"}")).result();
        assertThat(limited.path("isError").asBoolean()).isTrue();
        assertThat(limited.path("content").get(0).path("text").asString()).contains("rate limit exceeded");
        ((ManualClock) env.clock()).advance(java.time.Duration.ofSeconds(1));
        assertThat(rpc(session, "bob", call(4, "echo_get", "{\"seg\":\"a\"}"))
                        .result()
                        .path("isError")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void shouldServeOneSessionAlternatelyFromTwoPluginInstances() throws Exception {
        try (TestPluginEnvironment otherEnv =
                new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")))) {
            otherEnv.setenv("MCP_K1", K1);
            McpGatewayPlugin other = newPlugin(otherEnv);
            McpGatewayConfig otherConfig = other.parseConfig(config("[{\"id\":\"k1\",\"env\":\"MCP_K1\"}]"));
            String session = open("bob");
            for (int i = 0; i < 4; i++) {
                boolean first = i % 2 == 0;
                Answer answer = send(
                        first ? plugin : other,
                        first ? config : otherConfig,
                        post(
                                call(
                                        i,
                                        i < 2 ? "orders_get" : "calc_add",
                                        i < 2 ? "{\"id\":\"x" + i + "\"}" : "{\"a\":2,\"b\":" + i + "}"),
                                "mcp-session-id",
                                session,
                                "x-consumer",
                                "bob"));
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.result().path("isError").asBoolean()).isFalse();
            }
            other.close();
        }
    }

    @Test
    void shouldOpenSessionsSealedWithTheOldKeyAfterRotation() throws Exception {
        String session = open("bob");
        McpGatewayConfig rotated =
                plugin.parseConfig(config("[{\"id\":\"k2\",\"env\":\"MCP_K2\"},{\"id\":\"k1\",\"env\":\"MCP_K1\"}]")
                        .replace("\"session\":{", "\"session\":{\"active_key\":\"k2\","));
        assertThat(send(plugin, rotated, post(request(1, "ping", null), "mcp-session-id", session, "x-consumer", "bob"))
                        .status())
                .isEqualTo(200);
        String fresh = send(plugin, rotated, post(initialize(2)))
                .header("mcp-session-id")
                .orElseThrow();
        assertThat(fresh).startsWith("A6M1.k2.");
        McpGatewayConfig k2Only = plugin.parseConfig(config("[{\"id\":\"k2\",\"env\":\"MCP_K2\"}]"));
        assertThat(send(plugin, k2Only, post(request(3, "ping", null), "mcp-session-id", session, "x-consumer", "bob"))
                        .status())
                .as("old key removed from ring")
                .isEqualTo(404);
    }

    @Test
    void shouldRefuseASessionUsedByAnotherConsumer() {
        String session = open("alice");
        Answer stolen = rpc(session, "mallory", request(1, "ping", null));
        assertThat(stolen.status()).isEqualTo(403);
        Answer viaVar = send(
                plugin,
                config,
                post(request(2, "ping", null), Map.of("consumer_name", "alice"), "mcp-session-id", session));
        assertThat(viaVar.status()).as("identity from the APISIX variable").isEqualTo(200);
    }

    @Test
    void shouldExpireSessionsAfterTheirTtl() {
        String session = open("bob");
        ((ManualClock) env.clock()).advance(java.time.Duration.ofHours(2));
        assertThat(rpc(session, "bob", request(1, "ping", null)).status()).isEqualTo(404);
    }

    @Test
    void shouldForwardFederatedToolCalls() {
        String session = open("bob");
        JsonNode sum =
                rpc(session, "bob", call(1, "calc_add", "{\"a\":2,\"b\":3}")).result();
        assertThat(sum.path("content").get(0).path("text").asString()).isEqualTo("5");
        assertThat(sum.path("structuredContent").path("sum").asDouble()).isEqualTo(5.0);
        JsonNode failed = rpc(session, "bob", call(2, "calc_fail", "{}")).result();
        assertThat(failed.path("isError").asBoolean()).isTrue();
        Answer unknown = rpc(session, "bob", call(3, "calc_nope", "{}"));
        assertThat(unknown.error().path("code").asInt()).isEqualTo(-32602);
    }

    @Test
    void shouldReinitializeAnUpstreamThatLostItsSession() {
        String session = open("bob");
        assertThat(rpc(session, "bob", call(1, "calc_echo", "{\"text\":\"before\"}"))
                        .result()
                        .path("content")
                        .get(0)
                        .path("text")
                        .asString())
                .isEqualTo("before");
        int generation = upstream.generation();
        upstream.restart();
        assertThat(upstream.generation()).isEqualTo(generation + 1);
        JsonNode after = rpc(session, "bob", call(2, "calc_echo", "{\"text\":\"after\"}"))
                .result();
        assertThat(after.path("isError").asBoolean()).isFalse();
        assertThat(after.path("content").get(0).path("text").asString()).isEqualTo("after");
    }

    @Test
    void shouldEndSessionsWithDelete() {
        String session = open("bob");
        RequestView delete = RequestView.builder(HttpMethod.DELETE, "/mcp")
                .headers(Headers.of("mcp-session-id", session, "x-consumer", "bob"))
                .body(Body.EMPTY)
                .build();
        assertThat(send(plugin, config, delete).status()).isEqualTo(204);
        assertThat(rpc(session, "bob", request(1, "ping", null)).status()).isEqualTo(404);
    }
}
