package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundRequest;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.plugin.PluginConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ConfigAndSsrfTest {

    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes
    private final JsonMapper mapper = JsonMapper.builder().build();
    private final ConfigParser parser =
            new ConfigParser(mapper, n -> Optional.ofNullable(Map.of("K", KEY).get(n)));

    private McpGatewayConfig parse(String toolsJson) throws PluginConfigException {
        return parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},
                 "backends":[{"name":"api","base_url":"http://127.0.0.1:9/api/"}],
                 "tools":%s}""".formatted(toolsJson));
    }

    @Test
    void shouldApplyDefaults() throws Exception {
        McpGatewayConfig config =
                parse("[{\"name\":\"get\",\"backend\":\"api\",\"method\":\"GET\",\"path\":\"/o/{id}\"}]");
        assertThat(config.pageSize()).isEqualTo(50);
        assertThat(config.maxRequestBytes()).isEqualTo(1 << 20);
        assertThat(config.principal().var()).contains("consumer_name");
        assertThat(config.session().ttl().toSeconds()).isEqualTo(3600);
        assertThat(config.backends().get("api").baseUrl().toString()).isEqualTo("http://127.0.0.1:9/api");
        assertThat(config.tools().get("get").args().get("id").in()).isEqualTo(LocalTool.ArgBinding.In.PATH);
        assertThat(config.tools().get("get").method()).isEqualTo("GET");
    }

    @Test
    void shouldNameFieldValueAndExpectationInErrors() {
        assertThatThrownBy(() -> parser.parse("{\"page_size\": 0, \"mode\": \"stream\"}"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("mode: \"stream\" (expected: one of [invoke, lane]); page_size: 0 (expected: an integer in"
                        + " [1, 1000]); session: absent (expected: an object with keys (and optionally active_key, ttl_ms,"
                        + " audience))");
        assertThatThrownBy(() -> parser.parse("{\"session\":{\"keys\":[{\"id\":\"k1\",\"env\":\"NOPE\"}]}}"))
                .hasMessage("session.keys[0].env: NOPE (expected: a set environment variable)");
        assertThatThrownBy(() -> parse("[{\"name\":\"x\",\"backend\":\"other\",\"method\":\"GET\",\"path\":\"/a\"}]"))
                .hasMessageStartingWith("tools[0].backend: other (expected: one of [api])");
        assertThatThrownBy(() -> parser.parse("{\"bogus\": 1}")).hasMessageStartingWith("bogus: unknown field");
    }

    @Test
    void shouldRefuseCamelCaseFieldsAsUnknownNamingThem() {
        assertThatThrownBy(() -> parser.parse("""
                        {"session":{"keys":[{"id":"k1","env":"K"}],"ttlSeconds":60},"serverInfo":{"name":"x"},
                         "upstreams":[{"name":"a","url":"http://127.0.0.1:9/mcp","catalogTtlSeconds":1}]}"""))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("serverInfo: unknown field (expected: one of [")
                .hasMessageContaining("session.ttlSeconds: unknown field (expected: one of [active_key, audience, keys,"
                        + " ttl_ms])")
                .hasMessageContaining("upstreams[0].catalogTtlSeconds: unknown field");
    }

    @Test
    void shouldRefuseUnknownFieldsInObjectsThatOnceIgnoredThem() {
        for (String nested : new String[] {
            "\"server_info\":{\"nme\":\"x\"}", "\"principal\":{\"hdr\":\"x\"}", "\"call_log\":{\"on\":true}"
        }) {
            assertThatThrownBy(() -> parse(
                            "[{\"name\":\"g\",\"backend\":\"api\",\"method\":\"GET\",\"path\":\"/g\"}], " + nested))
                    .as(nested)
                    .hasMessageContaining("unknown field");
        }
    }

    private McpGatewayConfig federate(String upstreamsJson, String rateLimitsJson) throws PluginConfigException {
        return parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},"upstreams":%s,"rate_limits":%s}""".formatted(upstreamsJson, rateLimitsJson));
    }

    @Test
    void shouldDeriveUriPrefixesThatKeepResourceUrisValid() throws Exception {
        McpGatewayConfig config = federate("""
                [{"name":"Docs_Store","url":"http://127.0.0.1:9/mcp"},{"name":"7x","url":"http://127.0.0.1:9/mcp"},
                 {"name":"c","url":"http://127.0.0.1:9/mcp","uri_prefix":"a6.calc+"}]""", "[]");
        assertThat(config.upstreams())
                .extracting(McpGatewayConfig.Upstream::uriPrefix)
                .containsExactly("docs-store+", "u7x+", "a6.calc+");
        assertThat(java.net
                        .URI
                        .create(config.upstreams().get(0).uriPrefix() + "file:///a/b.md")
                        .getScheme())
                .isEqualTo("docs-store+file");
    }

    @Test
    void shouldRefuseUriPrefixesThatAreNotSchemesOrThatCollide() {
        assertThatThrownBy(() -> federate("""
                [{"name":"a","url":"http://127.0.0.1:9/mcp","uri_prefix":"a_b+"}]""", "[]"))
                .hasMessageStartingWith("upstreams[0].uri_prefix: \"a_b+\" (expected: a URI scheme start");
        assertThatThrownBy(() -> federate("""
                [{"name":"a_b","url":"http://127.0.0.1:9/mcp"},{"name":"a-b","url":"http://127.0.0.1:9/mcp"}]""", "[]"))
                .hasMessage("upstreams[1].uri_prefix: a-b+ (expected: a uri_prefix that neither starts with nor "
                        + "is the start of upstreams[0].uri_prefix (a-b+))");
    }

    @Test
    void shouldLimitToolCallsUnlessARuleNamesOtherMethods() throws Exception {
        String up = """
                [{"name":"a","url":"http://127.0.0.1:9/mcp"}]""";
        assertThat(federate(up, """
                [{"tools":["*"],"per_second":1}]""").rateLimits().get(0).methods()).containsExactly("tools/call");
        assertThat(federate(up, """
                [{"tools":["*"],"methods":["resources/*","prompts/get"],"per_second":1}]""").rateLimits().get(0).methods()).containsExactly("resources/*", "prompts/get");
        assertThatThrownBy(() -> federate(up, """
                [{"tools":["*"],"methods":["prompt/get"],"per_second":1}]"""))
                .hasMessageStartingWith("rate_limits[0].methods[0]: \"prompt/get\" (expected: one of");
    }

    @Test
    void shouldRefuseInlineSecretsAndNeverEchoKeyMaterial() {
        assertThatThrownBy(() -> parser.parse("{\"session\":{\"keys\":[{\"id\":\"k1\",\"secret\":\"" + KEY + "\"}]}}"))
                .isInstanceOf(PluginConfigException.class)
                .message()
                .doesNotContain(KEY);
    }

    @Test
    void shouldNeverEchoAHeaderValueInAnError() {
        assertThatThrownBy(() -> parser.parse("""
                        {"session":{"keys":[{"id":"k1","env":"K"}]},
                         "backends":[{"name":"api","base_url":"http://127.0.0.1:9/api",
                                      "headers":{"authorization":"Bearer sk-SECRET\\r\\nx-injected: 1"}}],
                         "tools":[{"name":"g","backend":"api","method":"GET","path":"/g"}]}"""))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage(
                        "backends[0].headers.authorization: a string (value not shown) (expected: a single-line string)")
                .message()
                .doesNotContain("sk-SECRET");
    }

    @Test
    void shouldRefusePathTemplatesThatCouldLeaveTheBackend() {
        for (String path : new String[] {"//evil.example/x", "http://evil/x", "/a/../admin", "/a?x=1", "/a#f", "a"}) {
            assertThatThrownBy(() -> parse(
                            "[{\"name\":\"x\",\"backend\":\"api\",\"method\":\"GET\",\"path\":\"" + path + "\"}]"))
                    .as(path)
                    .hasMessageStartingWith("tools[0].path: ");
        }
    }

    @Test
    void shouldRefuseBackendsThatAreNotPlainHttpUrls() {
        assertThatThrownBy(() -> parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},
                 "backends":[{"name":"api","base_url":"file:///etc/passwd"}]}"""))
                .hasMessageStartingWith("backends[0].base_url: \"file:///etc/passwd\"");
    }

    @Test
    void shouldEncodeArgumentsSoNoneCanReachAnotherPathOrHost() throws Exception {
        McpGatewayConfig config = parse("""
                [{"name":"get","backend":"api","method":"GET","path":"/orders/{id}",
                  "args":{"q":"query","trace":{"in":"header","name":"X-Trace"}}}]""");
        RestToolInvoker invoker = new RestToolInvoker(dummyOutbound(), mapper);
        LocalTool tool = config.tools().get("get");
        McpGatewayConfig.Backend backend = config.backends().get("api");
        ObjectNode args = mapper.createObjectNode()
                .put("id", "../../admin?x=1#y")
                .put("q", "a&admin=true")
                .put("trace", "t-1");
        OutboundRequest request = invoker.request(tool, backend, args).build();
        assertThat(request.uri().toString())
                .isEqualTo("http://127.0.0.1:9/api/orders/..%2F..%2Fadmin%3Fx%3D1%23y?q=a%26admin%3Dtrue");
        assertThat(request.headers().firstValue("x-trace")).contains("t-1");
        assertThatThrownBy(() ->
                        invoker.request(tool, backend, mapper.createObjectNode().put("id", "..")))
                .isInstanceOf(RestToolInvoker.BadArgumentException.class);
        assertThatThrownBy(() -> invoker.request(
                        tool,
                        backend,
                        mapper.createObjectNode().put("id", "http://evil").put("trace", "a\r\nhost: evil")))
                .isInstanceOf(RestToolInvoker.BadArgumentException.class);
    }

    @Test
    void shouldBuildTheSameRequestWhenItsFixedPartsAreMadeOnce() throws Exception {
        McpGatewayConfig config = parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},
                 "backends":[{"name":"api","base_url":"http://127.0.0.1:9/api",
                              "headers":{"X-Api-Key":"k-1","Accept":"application/vnd.x+json"}}],
                 "tools":[{"name":"list","backend":"api","method":"GET","path":"/orders"},
                          {"name":"get","backend":"api","method":"GET","path":"/orders/{id}",
                           "args":{"trace":{"in":"header","name":"X-Api-Key"}}},
                          {"name":"make","backend":"api","method":"POST","path":"/orders"}]}""");
        RestToolInvoker invoker = new RestToolInvoker(dummyOutbound(), mapper);
        McpGatewayConfig.Backend backend = config.backends().get("api");
        LocalTool list = config.tools().get("list");

        OutboundRequest first =
                invoker.request(list, backend, mapper.createObjectNode()).build();
        OutboundRequest second =
                invoker.request(list, backend, mapper.createObjectNode()).build();
        OutboundRequest queried = invoker.request(
                        list, backend, mapper.createObjectNode().put("q", "a b"))
                .build();
        OutboundRequest got = invoker.request(
                        config.tools().get("get"),
                        backend,
                        mapper.createObjectNode().put("id", "o-1"))
                .build();
        OutboundRequest overridden = invoker.request(
                        config.tools().get("get"),
                        backend,
                        mapper.createObjectNode().put("id", "o-1").put("trace", "t-9"))
                .build();
        OutboundRequest made = invoker.request(
                        config.tools().get("make"),
                        backend,
                        mapper.createObjectNode().put("n", 1))
                .build();

        assertThat(first.uri().toString()).isEqualTo("http://127.0.0.1:9/api/orders");
        assertThat(second.uri()).isSameAs(first.uri());
        assertThat(queried.uri().toString()).isEqualTo("http://127.0.0.1:9/api/orders?q=a%20b");
        assertThat(got.uri().toString()).isEqualTo("http://127.0.0.1:9/api/orders/o-1");
        // The backend's accept replaces the default; names in lower case; a header argument replaces the backend's.
        assertThat(first.headers().map())
                .containsOnly(
                        Map.entry("accept", List.of("application/vnd.x+json")), Map.entry("x-api-key", List.of("k-1")));
        assertThat(got.headers()).isEqualTo(first.headers());
        assertThat(overridden.headers().allValues("x-api-key")).containsExactly("t-9");
        assertThat(overridden.headers().allValues("accept")).containsExactly("application/vnd.x+json");
        assertThat(made.uri().toString()).isEqualTo("http://127.0.0.1:9/api/orders");
        assertThat(made.headers().allValues("content-type")).containsExactly("application/json");
        assertThat(made.headers().allValues("x-api-key")).containsExactly("k-1");
        assertThat(StandardCharsets.UTF_8.decode(made.body()).toString()).isEqualTo("{\"n\":1}");
    }

    @Test
    void shouldGenerateToolsFromOpenApiIgnoringItsServers(@TempDir Path dir) throws Exception {
        Path doc = dir.resolve("orders.yaml");
        Files.writeString(doc, """
                openapi: 3.0.3
                info: {title: orders, version: "1"}
                servers: [{url: "http://evil.example"}]
                paths:
                  /orders/{id}:
                    parameters:
                      - {name: id, in: path, required: true, schema: {type: string}}
                    get:
                      operationId: getOrder
                      summary: Get an order
                      responses:
                        "200":
                          content:
                            application/json:
                              schema: {$ref: "#/components/schemas/Order"}
                  /orders:
                    post:
                      operationId: createOrder
                      requestBody:
                        required: true
                        content:
                          application/json:
                            schema: {type: object, properties: {item: {type: string}}}
                      responses: {"201": {description: created}}
                components:
                  schemas:
                    Order: {type: object, properties: {id: {type: string}, total: {type: number}}}
                """);
        McpGatewayConfig config = parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},
                 "backends":[{"name":"api","base_url":"http://127.0.0.1:9/api"}],
                 "openapi":[{"file":"%s","backend":"api","prefix":"orders_"}]}""".formatted(doc));
        assertThat(config.tools()).containsOnlyKeys("orders_getOrder", "orders_createOrder");
        LocalTool get = config.tools().get("orders_getOrder");
        assertThat(get.inputSchema().path("required").toString()).isEqualTo("[\"id\"]");
        assertThat(get.outputSchema().orElseThrow().path("properties").has("total"))
                .isTrue();
        assertThat(config.tools().get("orders_createOrder").args().get("body").in())
                .isEqualTo(LocalTool.ArgBinding.In.BODY);
        OutboundRequest request = new RestToolInvoker(dummyOutbound(), mapper)
                .request(
                        get,
                        config.backends().get("api"),
                        mapper.createObjectNode().put("id", "7"))
                .build();
        assertThat(request.uri().toString()).isEqualTo("http://127.0.0.1:9/api/orders/7");
    }

    private static Outbound dummyOutbound() {
        // Never sends: these tests only build requests. Its event loop thread is a daemon.
        return new Outbound(OutboundClient.ofDefaults(), (task, delay) -> () -> true, System::nanoTime, o -> {});
    }
}
