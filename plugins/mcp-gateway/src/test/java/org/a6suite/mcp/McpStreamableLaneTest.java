package org.a6suite.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.a6suite.mcp.support.InsistentUpstream;
import org.a6suite.mcp.support.LaneClient;
import org.a6suite.mcp.support.LoopbackGateway;
import org.a6suite.mcp.support.LoopbackLane;
import org.a6suite.plugin.testing.ManualClock;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code mode: lane} over real sockets: a JDK HTTP client, the plugin's pre-req and lane behind a loopback server
 * (as APISIX and the runner's lane would call them), a REST backend and an upstream MCP server built with the
 * official SDK that reports progress, logs and asks the client for sampling, elicitation and roots.
 */
class McpStreamableLaneTest {

    static RestToolBackend backend;
    static UpstreamMcpServer upstream;
    static TestPluginEnvironment env1;
    static TestPluginEnvironment env2;
    static McpGatewayPlugin node1;
    static McpGatewayPlugin node2;
    static LoopbackLane lane;
    static LaneClient client;
    static InsistentUpstream insistent;

    static String config(java.net.URI backendUri, java.net.URI upstreamUri, java.net.URI insistentUri) {
        return """
                {"mode":"lane", "stream":{"progress_interval_ms":100, "replay_events":64},
                 "principal":{"header":"x-consumer"},
                 "session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "backends":[{"name":"shop","base_url":"%s/api","timeout_ms":5000}],
                 "tools":[{"name":"orders_get","backend":"shop","method":"GET","path":"/orders/{id}"}],
                 "upstreams":[{"name":"calc","url":"%s","prefix":"calc_","timeout_ms":10000,
                               "catalog_ttl_ms":600000},
                              {"name":"raw","url":"%s","prefix":"raw_","timeout_ms":15000}]}""".formatted(backendUri, upstreamUri, insistentUri);
    }

    @BeforeAll
    static void start() throws Exception {
        backend = RestToolBackend.start();
        upstream = UpstreamMcpServer.startInteractive();
        insistent = new InsistentUpstream();
        env1 = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env2 = new TestPluginEnvironment(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
        env1.setenv("MCP_K1", McpGatewayPluginTest.K1);
        env2.setenv("MCP_K1", McpGatewayPluginTest.K1);
        node1 = new McpGatewayPlugin();
        node1.start(env1);
        node2 = new McpGatewayPlugin();
        node2.start(env2);
        String config = config(backend.baseUri(), upstream.endpoint(), insistent.endpoint());
        lane = new LoopbackLane(
                List.of(
                        new LoopbackGateway.Runner(node1, node1.parseConfig(config)),
                        new LoopbackGateway.Runner(node2, node2.parseConfig(config))),
                Map.of());
        client = new LaneClient(lane.baseUri());
    }

    @AfterAll
    static void stop() {
        lane.close();
        node1.close();
        node2.close();
        env1.close();
        env2.close();
        backend.close();
        upstream.close();
        insistent.close();
    }

    /** Parses JSON text. */
    private static final class McpRequestsJson {
        static JsonNode parse(String text) {
            return org.a6suite.mcp.support.McpRequests.MAPPER.readTree(text);
        }
    }

    @AfterEach
    void noDelay() {
        backend.delay(Duration.ZERO);
    }

    private static String open(String version, String capabilities) {
        LaneClient.Answer init = client.post("""
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s",
                 "capabilities":%s,"clientInfo":{"name":"lane-test","version":"1.0"}}}""".formatted(version, capabilities), "x-consumer", "alice");
        assertThat(init.status()).isEqualTo(200);
        String session = init.response().headers().firstValue("mcp-session-id").orElseThrow();
        assertThat(client.post(
                                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                                headers(session, version))
                        .status())
                .isEqualTo(202);
        return session;
    }

    private static String[] headers(String session, String version, String... more) {
        List<String> all = new ArrayList<>(
                List.of("x-consumer", "alice", "mcp-session-id", session, "mcp-protocol-version", version));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static String call(int id, String tool, String arguments, String meta) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + (meta == null ? "" : ",\"_meta\":" + meta) + "}}";
    }

    private static String text(JsonNode response) {
        return response.path("result").path("content").path(0).path("text").asString();
    }

    @Test
    void shouldHandTheRequestToTheLaneNamingTheConsumerPreReqSaw() throws Exception {
        McpGatewayConfig config =
                node1.parseConfig(config(backend.baseUri(), upstream.endpoint(), insistent.endpoint()));
        org.a6suite.plugin.RequestView forged = org.a6suite.plugin.RequestView.builder(
                        org.a6suite.plugin.HttpMethod.GET, "/mcp")
                .headers(org.a6suite.plugin.Headers.of("x-consumer", "alice", "x-a6-mcp-principal", "mallory"))
                .build();

        org.a6suite.plugin.RequestDecision handed = node1.onRequest(forged, config, LoopbackLane.PRE_REQ)
                .toCompletableFuture()
                .get();
        org.a6suite.plugin.RequestDecision put = node1.onRequest(
                        forged.toBuilder()
                                .method(org.a6suite.plugin.HttpMethod.PUT)
                                .build(),
                        config,
                        LoopbackLane.PRE_REQ)
                .toCompletableFuture()
                .get();

        assertThat(handed).isInstanceOfSatisfying(org.a6suite.plugin.RequestDecision.Rewrite.class, r -> {
            assertThat(r.lane()).isTrue();
            assertThat(r.headers())
                    .containsExactly(new org.a6suite.plugin.RequestDecision.Rewrite.HeaderEdit(
                            "x-a6-mcp-principal", java.util.Optional.of("alice")));
        });
        assertThat(put)
                .isInstanceOfSatisfying(
                        org.a6suite.plugin.RequestDecision.Stop.class,
                        stop -> assertThat(stop.status()).isEqualTo(405));
    }

    @Test
    void shouldRefuseBadStreamingSettingsNamingTheField() throws Exception {
        String base = config(backend.baseUri(), upstream.endpoint(), insistent.endpoint());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> node1.parseConfig(base.replace("\"mode\":\"lane\"", "\"mode\":\"stream\"")))
                .isInstanceOf(org.a6suite.plugin.PluginConfigException.class)
                .hasMessageContaining("mode")
                .hasMessageContaining("one of [invoke, lane]");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> node1.parseConfig(base.replace("\"replay_events\":64", "\"replay_events\":-1")))
                .isInstanceOf(org.a6suite.plugin.PluginConfigException.class)
                .hasMessageContaining("stream.replay_events");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> node1.parseConfig(base.replace("\"replay_events\":64", "\"replay\":64")))
                .isInstanceOf(org.a6suite.plugin.PluginConfigException.class)
                .hasMessageContaining("stream.replay");
        assertThat(node1.parseConfig(base.replace(
                                "\"mode\":\"lane\", \"stream\":{\"progress_interval_ms\":100, "
                                        + "\"replay_events\":64},",
                                ""))
                        .mode())
                .isEqualTo(McpGatewayConfig.Mode.INVOKE);
    }

    @Test
    void shouldAnswerJsonWhenNothingPrecedesTheResult() {
        String session = open("2025-11-25", "{}");

        LaneClient.Answer answer =
                client.post(call(2, "calc_echo", "{\"text\":\"hi\"}", null), headers(session, "2025-11-25"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(text(answer.json())).isEqualTo("hi");
    }

    @Test
    void shouldAnswerSseWithAPrimingEventWhenProgressPrecedesTheResult() {
        String session = open("2025-11-25", "{}");

        LaneClient.Answer answer = client.post(
                call(3, "calc_progress", "{\"steps\":3}", "{\"progressToken\":\"p-1\"}"),
                headers(session, "2025-11-25"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.isSse()).isTrue();
        LaneClient.Event priming = answer.events().get(0);
        assertThat(priming.id()).isPresent();
        assertThat(priming.data()).isEmpty();
        List<JsonNode> messages = answer.messages();
        assertThat(messages).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(messages.get(i).path("method").asString()).isEqualTo("notifications/progress");
            assertThat(messages.get(i).path("params").path("progressToken").asString())
                    .isEqualTo("p-1");
            assertThat(messages.get(i).path("params").path("progress").asDouble())
                    .isEqualTo(i + 1);
        }
        assertThat(messages.get(3).path("id").asInt()).isEqualTo(3);
        assertThat(text(messages.get(3))).isEqualTo("done after 3 steps");
        assertThat(answer.events()).allSatisfy(e -> assertThat(e.id()).isPresent());
        assertThat(answer.events().stream().map(e -> e.id().orElseThrow()).distinct())
                .hasSize(5);
    }

    @Test
    void shouldNotPrimeSessionsOfOlderRevisions() {
        String session = open("2025-06-18", "{}");

        LaneClient.Answer answer = client.post(call(3, "calc_log", "{}", null), headers(session, "2025-06-18"));

        assertThat(answer.isSse()).isTrue();
        assertThat(answer.events()).noneSatisfy(e -> assertThat(e.data()).isEmpty());
        assertThat(answer.messages().get(0).path("method").asString()).isEqualTo("notifications/message");
        assertThat(answer.messages().get(0).path("params").path("data").asString())
                .isEqualTo("hello from upstream");
        assertThat(text(answer.messages().get(1))).isEqualTo("logged");
    }

    @Test
    void shouldRelayAnUpstreamsListChangedOnTheGetStream() throws Exception {
        String session = open("2025-11-25", "{}");
        BlockingQueue<LaneClient.Event> events = client.get(headers(session, "2025-11-25"));
        assertThat(LaneClient.next(events).data()).as("priming").isEmpty();
        // The upstream GET stream opens asynchronously: notify until the client's stream carries it.
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    upstream.notifyToolsListChanged();
                    LaneClient.Event event = events.poll(100, TimeUnit.MILLISECONDS);
                    return event != null
                            && event.json().path("method").asString().equals("notifications/tools/list_changed");
                });
    }

    @Test
    void shouldRefreshTheMergedCatalogWhenAnUpstreamSaysItsToolsChanged() throws Exception {
        String session = open("2025-11-25", "{}");
        String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
        List<String> before = client.post(list, headers(session, "2025-11-25"))
                .json()
                .path("result")
                .path("tools")
                .findValuesAsString("name");
        assertThat(before).contains("calc_echo").doesNotContain("calc_late");
        BlockingQueue<LaneClient.Event> events = client.get(headers(session, "2025-11-25"));
        assertThat(LaneClient.next(events).data()).as("priming").isEmpty();

        // The upstream GET stream opens asynchronously: keep announcing until the client's stream carries it.
        upstream.addTool("late");
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    upstream.notifyToolsListChanged();
                    LaneClient.Event event = events.poll(100, TimeUnit.MILLISECONDS);
                    return event != null
                            && event.json().path("method").asString().equals("notifications/tools/list_changed");
                });

        List<String> after = client.post(list, headers(session, "2025-11-25"))
                .json()
                .path("result")
                .path("tools")
                .findValuesAsString("name");
        assertThat(after)
                .as("catalog_ttl_ms is 600000: only the notification can refresh it")
                .contains("calc_late");
    }

    @Test
    void shouldResumeAStreamWithLastEventIdOnTheNodeThatServedIt() throws Exception {
        String session = open("2025-11-25", "{}");
        LaneClient.Answer answer = client.post(
                call(4, "calc_progress", "{\"steps\":3}", "{\"progressToken\":7}"), headers(session, "2025-11-25"));
        String firstProgress = answer.events().get(1).id().orElseThrow();

        BlockingQueue<LaneClient.Event> resumed =
                client.get(headers(session, "2025-11-25", "last-event-id", firstProgress));

        List<JsonNode> replayed = List.of(
                LaneClient.next(resumed).json(),
                LaneClient.next(resumed).json(),
                LaneClient.next(resumed).json());
        assertThat(replayed.get(0).path("params").path("progress").asDouble()).isEqualTo(2);
        assertThat(replayed.get(1).path("params").path("progress").asDouble()).isEqualTo(3);
        assertThat(text(replayed.get(2))).isEqualTo("done after 3 steps");

        BlockingQueue<LaneClient.Event> elsewhere =
                client.get(headers(session, "2025-11-25", "last-event-id", firstProgress, "x-test-node", "1"));
        LaneClient.Event fresh = LaneClient.next(elsewhere);
        assertThat(fresh.data())
                .as("another node replays nothing: a fresh stream, primed")
                .isEmpty();
        assertThat(elsewhere.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void shouldAcceptBatchesOn20250326AndRefuseThemOnLaterRevisions() {
        String old = open("2025-03-26", "{}");
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ping\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}},"
                + call(11, "calc_echo", "{\"text\":\"b\"}", null) + "]";

        LaneClient.Answer accepted = client.post(batch, headers(old, "2025-03-26"));

        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.json().isArray()).isTrue();
        assertThat(accepted.json()).hasSize(2);
        assertThat(accepted.json().findValues("id").stream().map(JsonNode::asInt))
                .containsExactlyInAnyOrder(10, 11);

        String current = open("2025-06-18", "{}");
        LaneClient.Answer refused = client.post(batch, headers(current, "2025-06-18"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("error").path("code").asInt()).isEqualTo(-32600);
    }

    @Test
    void shouldRelaySamplingToAClientThatDeclaredItAndItsAnswerBack() throws Exception {
        String session = open("2025-11-25", "{\"sampling\":{}}");
        BlockingQueue<LaneClient.Event> events = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> status = client.postStreaming(
                call(5, "calc_sample", "{\"question\":\"6*7?\"}", null), events, headers(session, "2025-11-25"));

        JsonNode ask = null;
        while (ask == null) {
            LaneClient.Event event = LaneClient.next(events);
            if (!event.data().isEmpty()) {
                ask = event.json();
            }
        }
        assertThat(ask.path("method").asString()).isEqualTo("sampling/createMessage");
        assertThat(ask.path("params")
                        .path("messages")
                        .path(0)
                        .path("content")
                        .path("text")
                        .asString())
                .isEqualTo("6*7?");
        String answer = """
                {"jsonrpc":"2.0","id":%s,"result":{"role":"assistant","content":{"type":"text","text":"42"},
                 "model":"test-model","stopReason":"endTurn"}}""".formatted(ask.path("id"));
        assertThat(client.post(answer, headers(session, "2025-11-25")).status()).isEqualTo(202);

        JsonNode result = LaneClient.next(events).json();
        assertThat(result.path("id").asInt()).isEqualTo(5);
        assertThat(text(result)).isEqualTo("42");
        assertThat(status.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    }

    @Test
    void shouldRelayElicitationToAClientThatDeclaredIt() throws Exception {
        String session = open("2025-11-25", "{\"elicitation\":{}}");
        BlockingQueue<LaneClient.Event> events = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> status =
                client.postStreaming(call(5, "calc_elicit", "{}", null), events, headers(session, "2025-11-25"));
        assertThat(LaneClient.next(events).data()).as("priming").isEmpty();

        JsonNode ask = LaneClient.next(events).json();
        assertThat(ask.path("method").asString()).isEqualTo("elicitation/create");
        assertThat(ask.path("params").path("message").asString()).isEqualTo("What is your name?");
        String answer = """
                {"jsonrpc":"2.0","id":%s,"result":{"action":"accept","content":{"name":"Ada"}}}""".formatted(ask.path("id"));
        assertThat(client.post(answer, headers(session, "2025-11-25")).status()).isEqualTo(202);

        assertThat(text(LaneClient.next(events).json())).isEqualTo("accept:Ada");
        assertThat(status.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    }

    @Test
    void shouldAnswerTheUpstreamAtOnceWhenTheClientDidNotDeclareSampling() {
        String session = open("2025-11-25", "{\"elicitation\":{}}");

        LaneClient.Answer answer = client.post(call(6, "raw_ask", "{}", null), headers(session, "2025-11-25"));

        assertThat(answer.status()).isEqualTo(200);
        String text = text(answer.isSse() ? answer.messages().getLast() : answer.json());
        assertThat(text).as("the upstream got its answer, not a 10 s silence").startsWith("answer: ");
        JsonNode error =
                McpRequestsJson.parse(text.substring("answer: ".length())).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32601);
        assertThat(error.path("message").asString()).contains("does not support sampling");
        assertThat(McpRequestsJson.parse(text.substring("answer: ".length()))
                        .path("id")
                        .asString())
                .isEqualTo("s-1");
    }

    @Test
    void shouldTellTheSdkUpstreamOnlyTheCapabilitiesTheClientDeclared() {
        String session = open("2025-11-25", "{}");

        LaneClient.Answer answer =
                client.post(call(7, "calc_sample", "{\"question\":\"hi\"}", null), headers(session, "2025-11-25"));

        assertThat(text(answer.isSse() ? answer.messages().getLast() : answer.json()))
                .startsWith("error:");
    }

    @Test
    void shouldForwardAClientsCancellationToTheUpstream() {
        String session = open("2025-11-25", "{}");
        int calls = upstream.toolCalls();
        CompletableFuture<LaneClient.Answer> waiting =
                client.postAsync(call(8, "calc_wait", "{}", null), headers(session, "2025-11-25"));
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.toolCalls() > calls);
        int before = upstream.cancellations();

        assertThat(client.post(
                                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":"
                                        + "{\"requestId\":8,\"reason\":\"user\"}}",
                                headers(session, "2025-11-25"))
                        .status())
                .isEqualTo(202);

        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.cancellations() > before);
        assertThat(waiting.join().status())
                .as("a cancelled request gets no answer")
                .isEqualTo(202);
    }

    @Test
    void shouldReportProgressOfALongRestCallToAClientThatGaveAToken() {
        String session = open("2025-11-25", "{}");
        backend.delay(Duration.ofMillis(700));

        LaneClient.Answer answer = client.post(
                call(9, "orders_get", "{\"id\":\"o-9\"}", "{\"progressToken\":\"r\"}"), headers(session, "2025-11-25"));

        assertThat(answer.isSse()).isTrue();
        List<JsonNode> messages = answer.messages();
        List<JsonNode> progress = messages.stream()
                .filter(m -> m.path("method").asString().equals("notifications/progress"))
                .toList();
        assertThat(progress).isNotEmpty();
        assertThat(progress)
                .allSatisfy(
                        p -> assertThat(p.path("params").path("progressToken").asString())
                                .isEqualTo("r"));
        for (int i = 1; i < progress.size(); i++) {
            assertThat(progress.get(i).path("params").path("progress").asDouble())
                    .isGreaterThan(
                            progress.get(i - 1).path("params").path("progress").asDouble());
        }
        assertThat(messages.getLast().path("id").asInt()).isEqualTo(9);
        assertThat(text(messages.getLast())).contains("o-9");
    }

    @Test
    void shouldServeAGetStreamOnlyInLaneModeAndEndSessionsWithDelete() {
        String session = open("2025-11-25", "{}");
        assertThat(client.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", headers(session, "2025-11-25"))
                        .json()
                        .path("result")
                        .isObject())
                .isTrue();

        java.net.http.HttpResponse<String> deleted = client.http()
                .sendAsync(
                        java.net.http.HttpRequest.newBuilder(lane.baseUri().resolve("/mcp"))
                                .DELETE()
                                .header("x-consumer", "alice")
                                .header("mcp-session-id", session)
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .join();

        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(client.post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", headers(session, "2025-11-25"))
                        .status())
                .isEqualTo(404);
    }
}
