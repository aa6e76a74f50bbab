package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.plugin.PluginConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** OpenAPI 3.0 schemas read as JSON Schema 2020-12, and the federation prefix rules. */
class OpenApiSchemaTest {

    private final JsonMapper mapper = JsonMapper.builder().build();
    private final ConfigParser parser = new ConfigParser(
            mapper, n -> Optional.ofNullable(Map.of("K", ConfigAndSsrfTest.KEY).get(n)));

    private JsonNode json(String text) {
        return mapper.readTree(text);
    }

    @Test
    void shouldAdmitNullWhenAnOpenApi30SchemaIsNullable() {
        JsonNode schema = JsonSchemas.fromOpenApi30(json("""
                {"type":"object","properties":{
                  "note":{"type":"string","nullable":true},
                  "state":{"type":"string","enum":["open","closed"],"nullable":true},
                  "owner":{"allOf":[{"type":"object"}],"nullable":true},
                  "tags":{"type":"array","items":{"type":"integer","nullable":true}}}}"""));
        var validator = JsonSchemas.compile(schema);

        assertThat(JsonSchemas.violations(validator, json("""
                {"note":null,"state":null,"owner":null,"tags":[1,null]}"""))).isEmpty();
        assertThat(JsonSchemas.violations(validator, json("{\"note\":1}"))).isNotEmpty();
        assertThat(JsonSchemas.violations(validator, json("{\"state\":\"lost\"}")))
                .isNotEmpty();
        assertThat(JsonSchemas.violations(validator, json("{\"owner\":\"x\"}"))).isNotEmpty();
        assertThat(schema.path("properties").path("note").has("nullable")).isFalse();
    }

    @Test
    void shouldTranslateBooleanExclusiveBoundsAndExample() {
        JsonNode schema = JsonSchemas.fromOpenApi30(json("""
                {"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":10,"exclusiveMaximum":false,
                 "example":5}"""));

        assertThat(schema.toString())
                .isEqualTo("{\"type\":\"number\",\"maximum\":10,\"examples\":[5],\"exclusiveMinimum\":0}");
        var validator = JsonSchemas.compile(schema);
        assertThat(JsonSchemas.violations(validator, json("0"))).isNotEmpty();
        assertThat(JsonSchemas.violations(validator, json("10"))).isEmpty();
    }

    @Test
    void shouldTranslateTheSchemasOfAnOpenApi30DocumentOnly(@TempDir Path dir) throws Exception {
        String doc = """
                {"openapi":"%s","info":{"title":"t","version":"1"},"paths":{"/orders":{"post":{
                  "operationId":"create",
                  "requestBody":{"content":{"application/json":{"schema":{"type":"object",
                     "properties":{"qty":{"type":"integer",%s}}}}}},
                  "responses":{"201":{"content":{"application/json":{"schema":{"type":"object",
                     "properties":{"id":{"type":"string"},"note":{"type":"string","nullable":true}}}}}}}}}}}""";
        Path v30 = Files.writeString(
                dir.resolve("v30.json"), doc.formatted("3.0.3", "\"minimum\":0,\"exclusiveMinimum\":true"));
        Path v31 = Files.writeString(dir.resolve("v31.json"), doc.formatted("3.1.0", "\"exclusiveMinimum\":0"));

        LocalTool tool30 = openapi(v30).tools().get("create");
        LocalTool tool31 = openapi(v31).tools().get("create");

        assertThat(JsonSchemas.violations(tool30.outputValidator().orElseThrow(), json("{\"id\":\"o\",\"note\":null}")))
                .isEmpty();
        assertThat(tool30.inputSchema().at("/properties/body/properties/qty").toString())
                .isEqualTo("{\"type\":\"integer\",\"exclusiveMinimum\":0}");
        assertThat(tool31.outputSchema().orElseThrow().at("/properties/note").has("nullable"))
                .as("3.1 is JSON Schema 2020-12 already")
                .isTrue();
    }

    private McpGatewayConfig openapi(Path file) throws PluginConfigException {
        return parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},
                 "backends":[{"name":"api","base_url":"http://127.0.0.1:9/api"}],
                 "openapi":[{"file":"%s","backend":"api"}]}""".formatted(file));
    }

    @Test
    void shouldAllowAnEmptyFederationPrefix() throws Exception {
        McpGatewayConfig config = parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},"upstreams":[
                  {"name":"calc","url":"http://127.0.0.1:9/mcp","prefix":""},
                  {"name":"docs","url":"http://127.0.0.1:8/mcp"}]}""");

        assertThat(config.upstreams().get(0).prefix()).isEmpty();
        assertThat(FederatedNames.routeName(config.upstreams(), "add")
                        .orElseThrow()
                        .upstream()
                        .name())
                .isEqualTo("calc");
        assertThat(FederatedNames.routeName(config.upstreams(), "docs_find")
                        .orElseThrow()
                        .upstream()
                        .name())
                .isEqualTo("docs");
    }

    @Test
    void shouldRefuseTwoUpstreamsWithTheSamePrefixNamingBoth() {
        assertThatThrownBy(() -> parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},"upstreams":[
                  {"name":"calc","url":"http://127.0.0.1:9/mcp","prefix":""},
                  {"name":"docs","url":"http://127.0.0.1:8/mcp","prefix":""}]}"""))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("upstreams[1].prefix: \"\" (expected: a prefix different from that of "
                        + "upstream calc (upstreams calc and docs would offer colliding tool and prompt names)");
        assertThatThrownBy(() -> parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},"upstreams":[
                  {"name":"calc","url":"http://127.0.0.1:9/mcp","prefix":7}]}"""))
                .hasMessageStartingWith("upstreams[0].prefix: 7 (expected: a string");
    }

    @Test
    void shouldRouteUrisNoOtherPrefixStartsToTheUpstreamWithTheEmptyUriPrefix() throws Exception {
        McpGatewayConfig config = parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},"upstreams":[
                  {"name":"conf","url":"http://127.0.0.1:9/mcp","prefix":"","uri_prefix":""},
                  {"name":"docs","url":"http://127.0.0.1:8/mcp"}]}""");

        assertThat(FederatedNames.routeUri(config.upstreams(), "test://static-text")
                        .orElseThrow()
                        .upstream()
                        .name())
                .isEqualTo("conf");
        assertThat(FederatedNames.routeUri(config.upstreams(), "docs+file:///a")
                        .orElseThrow()
                        .local())
                .isEqualTo("file:///a");
        assertThatThrownBy(() -> parser.parse("""
                {"session":{"keys":[{"id":"k1","env":"K"}]},"upstreams":[
                  {"name":"a","url":"http://127.0.0.1:9/mcp","uri_prefix":""},
                  {"name":"b","url":"http://127.0.0.1:8/mcp","uri_prefix":""}]}""")).hasMessageStartingWith("upstreams[1].uri_prefix: ");
    }
}
