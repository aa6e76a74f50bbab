package org.a6suite.mcp;

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
import org.a6suite.mcp.support.PagingUpstream;
import org.a6suite.plugin.testing.ManualClock;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Resources, templates, prompts, completions, subscriptions and logging of two SDK-built upstreams ({@code alpha},
 * {@code beta}) beside a tools-only one ({@code plain}), through the plugin as the runner calls it.
 */
class FederatedFeaturesTest {

    static UpstreamMcpServer alpha;
    static UpstreamMcpServer beta;
    static UpstreamMcpServer plain;

    TestPluginEnvironment env;
    McpGatewayPlugin plugin;
    McpGatewayConfig config;

    @BeforeAll
    static void startServers() {
        alpha = UpstreamMcpServer.startWithAllFeatures("alpha");
        beta = UpstreamMcpServer.startWithAllFeatures("beta");
        plain = UpstreamMcpServer.start(0);
    }

    @AfterAll
    static void stopServers() {
        alpha.close();
        beta.close();
        plain.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        env = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env.setenv("MCP_K1", McpGatewayPluginTest.K1);
        plugin = new McpGatewayPlugin();
        plugin.start(env);
        config = plugin.parseConfig("""
                {"principal":{"var":null,"header":"x-consumer"},
                 "session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "upstreams":[{"name":"alpha","url":"%s"},{"name":"beta","url":"%s"},
                              {"name":"plain","url":"%s","uri_prefix":"tools-only+"}],
                 "access":{"rules":[{"tools":["beta+file:///beta/notes.txt","alpha_summarize"],"deny":["bob"]}]},
                 "rate_limits":[{"tools":["beta_*"],"methods":["prompts/get"],"per_second":1,"burst":1},
                               {"tools":["*"],"methods":["logging/setLevel"],"per_second":1,"burst":2}]}""".formatted(alpha.endpoint(), beta.endpoint(), plain.endpoint()));
    }

    @AfterEach
    void tearDown() {
        plugin.close();
        env.close();
    }

    String open(String consumer) {
        Answer init = send(plugin, config, post(initialize(1), "x-consumer", consumer));
        assertThat(init.status()).isEqualTo(200);
        return init.header("mcp-session-id").orElseThrow();
    }

    Answer rpc(String session, String consumer, int id, String method, String params) {
        Answer answer = send(
                plugin, config, post(request(id, method, params), "mcp-session-id", session, "x-consumer", consumer));
        assertThat(answer.status()).isEqualTo(200);
        return answer;
    }

    List<String> all(String session, String consumer, String method, String member, String key) {
        List<String> out = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = rpc(
                            session, consumer, pages, method, cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}")
                    .result();
            page.path(member).forEach(item -> out.add(item.path(key).asString()));
            cursor = page.path("nextCursor").asString(null);
            pages++;
        } while (cursor != null && pages < 10);
        return out;
    }

    @Test
    void shouldAdvertiseTheFeaturesSomeUpstreamOffers() {
        Answer init = send(plugin, config, post(initialize(1), "x-consumer", "alice"));
        assertThat(init.result().path("capabilities").toString())
                .isEqualTo("{\"tools\":{\"listChanged\":false},"
                        + "\"resources\":{\"subscribe\":true,\"listChanged\":false},\"prompts\":{\"listChanged\":false},"
                        + "\"completions\":{},\"logging\":{}}");
    }

    @Test
    void shouldListResourcesOfEveryUpstreamUnderItsUriPrefix() {
        String session = open("alice");
        JsonNode first = rpc(session, "alice", 2, "resources/list", "{}").result();
        assertThat(first.path("resources")).hasSize(2);
        JsonNode readme = first.path("resources").get(0);
        assertThat(readme.path("uri").asString()).startsWith("alpha+file:///alpha/");
        assertThat(readme.path("name").asString()).startsWith("alpha_");
        assertThat(first.path("nextCursor").isString())
                .as("beta comes on the next page")
                .isTrue();

        assertThat(all(session, "alice", "resources/list", "resources", "uri"))
                .containsExactlyInAnyOrder(
                        "alpha+file:///alpha/readme.md", "alpha+file:///alpha/notes.txt",
                        "beta+file:///beta/readme.md", "beta+file:///beta/notes.txt");
        assertThat(all(session, "alice", "resources/templates/list", "resourceTemplates", "uriTemplate"))
                .containsExactly("alpha+file:///alpha/docs/{name}", "beta+file:///beta/docs/{name}");
        assertThat(all(session, "alice", "prompts/list", "prompts", "name"))
                .containsExactlyInAnyOrder("alpha_greet", "alpha_summarize", "beta_greet", "beta_summarize");

        Answer stale = rpc(session, "alice", 9, "resources/list", "{\"cursor\":\"bm90LWEtY3Vyc29y\"}");
        assertThat(stale.error().path("code").asInt()).isEqualTo(-32602);
    }

    @Test
    void shouldReadResourcesAndExpandedTemplatesThroughTheirPrefixedUris() {
        String session = open("alice");
        JsonNode read = rpc(session, "alice", 2, "resources/read", "{\"uri\":\"alpha+file:///alpha/readme.md\"}")
                .result();
        assertThat(read.path("contents").get(0).path("uri").asString()).isEqualTo("alpha+file:///alpha/readme.md");
        assertThat(read.path("contents").get(0).path("text").asString()).isEqualTo("alpha says: readme.md");

        JsonNode doc = rpc(session, "alice", 3, "resources/read", "{\"uri\":\"beta+file:///beta/docs/guide\"}")
                .result();
        assertThat(doc.path("contents").get(0).path("text").asString()).isEqualTo("beta doc guide");
        assertThat(doc.path("contents").get(0).path("uri").asString()).isEqualTo("beta+file:///beta/docs/guide");

        Answer unknown = rpc(session, "alice", 4, "resources/read", "{\"uri\":\"nope+file:///x\"}");
        assertThat(unknown.error().path("code").asInt()).isEqualTo(-32002);
        assertThat(unknown.error().path("data").path("uri").asString()).isEqualTo("nope+file:///x");

        Answer missing = rpc(session, "alice", 5, "resources/read", "{\"uri\":\"alpha+file:///other/x\"}");
        assertThat(missing.error().path("message").asString())
                .as("the upstream's own error, named")
                .startsWith("upstream alpha: ");
        assertThat(missing.error().path("code").asInt()).isNotEqualTo(-32603);
        assertThat(env.sum(
                        "a6_mcp_requests_total",
                        Map.of("method", "resources/read", "upstream", "alpha", "outcome", "ok")))
                .isEqualTo(1.0);
    }

    @Test
    void shouldHideWhatTheAccessRulesDenyExactlyLikeWhatDoesNotExist() {
        String session = open("bob");
        assertThat(all(session, "bob", "resources/list", "resources", "uri"))
                .contains("beta+file:///beta/readme.md")
                .doesNotContain("beta+file:///beta/notes.txt");
        assertThat(all(session, "bob", "prompts/list", "prompts", "name")).doesNotContain("alpha_summarize");
        Answer denied = rpc(session, "bob", 2, "resources/read", "{\"uri\":\"beta+file:///beta/notes.txt\"}");
        Answer absent = rpc(session, "bob", 3, "resources/read", "{\"uri\":\"beta+file:///beta/absent.txt\"}");
        assertThat(denied.error().path("code").asInt()).isEqualTo(-32002);
        assertThat(denied.error().path("message").asString())
                .isEqualTo("resource not found: beta+file:///beta/notes.txt");
        assertThat(absent.error().path("code").asInt()).isEqualTo(-32002);
        Answer prompt = rpc(session, "bob", 4, "prompts/get", "{\"name\":\"alpha_summarize\"}");
        assertThat(prompt.error().path("message").asString()).isEqualTo("unknown prompt: alpha_summarize");
    }

    @Test
    void shouldGetPromptsWithTheirArgumentsAndPrefixEmbeddedResources() {
        String session = open("alice");
        JsonNode greet = rpc(
                        session,
                        "alice",
                        2,
                        "prompts/get",
                        "{\"name\":\"alpha_greet\",\"arguments\":{\"name\":\"Ann\"}}")
                .result();
        assertThat(greet.path("messages").get(0).path("content").path("text").asString())
                .isEqualTo("Hello Ann from alpha");
        JsonNode summary = rpc(session, "alice", 3, "prompts/get", "{\"name\":\"beta_summarize\"}")
                .result();
        assertThat(summary.path("messages")
                        .get(0)
                        .path("content")
                        .path("resource")
                        .path("uri")
                        .asString())
                .isEqualTo("beta+file:///beta/readme.md");
        Answer limited = rpc(session, "alice", 4, "prompts/get", "{\"name\":\"beta_summarize\"}");
        assertThat(limited.error().path("code").asInt()).isEqualTo(-32000);
        assertThat(limited.error().path("message").asString())
                .startsWith("rate limit exceeded for prompts/get beta_summarize");
        ((ManualClock) env.clock()).advance(java.time.Duration.ofSeconds(1));
        assertThat(rpc(session, "alice", 5, "prompts/get", "{\"name\":\"beta_summarize\"}")
                        .error()
                        .isMissingNode())
                .isTrue();
        assertThat(env.sum(
                        "a6_mcp_requests_total",
                        Map.of("method", "prompts/get", "upstream", "none", "outcome", "rate_limited")))
                .isEqualTo(1.0);
    }

    @Test
    void shouldCompletePromptAndTemplateArgumentsAtTheirUpstream() {
        String session = open("alice");
        JsonNode people = rpc(session, "alice", 2, "completion/complete", """
                {"ref":{"type":"ref/prompt","name":"beta_greet"},"argument":{"name":"name","value":"al"}}""").result();
        assertThat(people.path("completion").path("values").toString()).isEqualTo("[\"alice\",\"albert\"]");
        JsonNode docs = rpc(session, "alice", 3, "completion/complete", """
                {"ref":{"type":"ref/resource","uri":"alpha+file:///alpha/docs/{name}"},
                 "argument":{"name":"name","value":"g"}}""").result();
        assertThat(docs.path("completion").path("values").toString()).isEqualTo("[\"guide\",\"glossary\"]");
        Answer unknown = rpc(session, "alice", 4, "completion/complete", """
                {"ref":{"type":"ref/prompt","name":"nope_greet"},"argument":{"name":"name","value":"a"}}""");
        assertThat(unknown.error().path("code").asInt()).isEqualTo(-32602);
        JsonNode none = rpc(session, "alice", 5, "completion/complete", """
                {"ref":{"type":"ref/prompt","name":"plain_greet"},"argument":{"name":"name","value":"a"}}""").result();
        assertThat(none.toString())
                .as("plain offers no completions: the empty answer")
                .isEqualTo("{\"completion\":{\"hasMore\":false,\"values\":[]}}");
        assertThat(rpc(session, "alice", 6, "resources/read", "{\"uri\":\"tools-only+file:///x\"}")
                        .error()
                        .path("code")
                        .asInt())
                .as("plain offers no resources")
                .isEqualTo(-32002);
    }

    @Test
    void shouldSetTheLogLevelOnEveryUpstreamThatLogsAndSubscribeWhereTheResourceLives() {
        String session = open("alice");
        assertThat(rpc(session, "alice", 2, "logging/setLevel", "{\"level\":\"warning\"}")
                        .result()
                        .toString())
                .isEqualTo("{}");
        assertThat(env.sum(
                        "a6_mcp_requests_total",
                        Map.of("method", "logging/setLevel", "upstream", "alpha", "outcome", "ok")))
                .isEqualTo(1.0);
        assertThat(env.sum(
                        "a6_mcp_requests_total",
                        Map.of("method", "logging/setLevel", "upstream", "beta", "outcome", "ok")))
                .isEqualTo(1.0);
        assertThat(rpc(session, "alice", 3, "logging/setLevel", "{\"level\":\"loud\"}")
                        .error()
                        .path("code")
                        .asInt())
                .isEqualTo(-32602);

        assertThat(rpc(session, "alice", 4, "resources/subscribe", "{\"uri\":\"alpha+file:///alpha/readme.md\"}")
                        .result()
                        .toString())
                .isEqualTo("{}");
        assertThat(rpc(session, "alice", 5, "resources/unsubscribe", "{\"uri\":\"alpha+file:///alpha/readme.md\"}")
                        .result()
                        .toString())
                .isEqualTo("{}");
    }

    @Test
    void shouldReinitializeAnUpstreamThatLostItsSessionOnAResourceRead() {
        String session = open("alice");
        alpha.restart();
        JsonNode read = rpc(session, "alice", 2, "resources/read", "{\"uri\":\"alpha+file:///alpha/notes.txt\"}")
                .result();
        assertThat(read.path("contents").get(0).path("text").asString()).isEqualTo("alpha says: notes.txt");
    }

    @Test
    void shouldPassUpstreamCursorsThroughAndSkipPagesTheAccessRulesEmpty() throws Exception {
        try (PagingUpstream pager = new PagingUpstream()) {
            McpGatewayConfig paged = plugin.parseConfig("""
                    {"principal":{"var":null,"header":"x-consumer"},
                     "session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                     "upstreams":[{"name":"pager","url":"%s"},{"name":"alpha","url":"%s"}],
                     "access":{"rules":[{"tools":["pager+mem:///item/2","pager+mem:///item/3"],"deny":["bob"]}]}}""".formatted(pager.endpoint(), alpha.endpoint()));
            config = paged;
            List<Integer> sizes = new ArrayList<>();
            List<String> uris = new ArrayList<>();
            String session = open("alice");
            String cursor = null;
            do {
                JsonNode page = rpc(
                                session,
                                "alice",
                                sizes.size(),
                                "resources/list",
                                cursor == null ? "{}" : "{\"cursor\":\"" + cursor + "\"}")
                        .result();
                sizes.add(page.path("resources").size());
                page.path("resources").forEach(r -> uris.add(r.path("uri").asString()));
                cursor = page.path("nextCursor").asString(null);
            } while (cursor != null && sizes.size() < 10);
            assertThat(sizes).as("the pager's three pages, then alpha's").containsExactly(2, 2, 1, 2);
            assertThat(uris)
                    .startsWith("pager+mem:///item/0", "pager+mem:///item/1", "pager+mem:///item/2")
                    .hasSize(7);
            assertThat(pager.cursors).containsExactly("", "p1", "p2");

            String bobs = open("bob");
            JsonNode first = rpc(bobs, "bob", 1, "resources/list", "{}").result();
            JsonNode second = rpc(
                            bobs,
                            "bob",
                            2,
                            "resources/list",
                            "{\"cursor\":\"" + first.path("nextCursor").asString() + "\"}")
                    .result();
            assertThat(second.path("resources"))
                    .as("page p1 was all hidden: p2 follows in the same answer")
                    .hasSize(1);
            assertThat(second.path("resources").get(0).path("uri").asString()).isEqualTo("pager+mem:///item/4");

            String forged = java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString("u1:nobody:p1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(rpc(bobs, "bob", 3, "resources/list", "{\"cursor\":\"" + forged + "\"}")
                            .error()
                            .path("code")
                            .asInt())
                    .isEqualTo(-32602);
            assertThat(rpc(bobs, "bob", 4, "prompts/list", "{}").result().path("prompts"))
                    .as("only alpha has prompts")
                    .hasSize(2);
            assertThat(rpc(bobs, "bob", 5, "tools/list", "{}").result().path("tools"))
                    .hasSize(3);
            assertThat(pager.methods)
                    .as("the pager declared no tools or prompts: never asked")
                    .doesNotContain("tools/list", "prompts/list");
        }
    }
}
