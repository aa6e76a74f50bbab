package org.a6suite.e2e.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mcp-gateway in {@code lane} mode end to end: the official MCP Java SDK client -> APISIX emulator (pre-req over A6,
 * then the route's upstream, the runner's HTTP lane) -> plugin -> an SDK-built upstream MCP server that reports
 * progress, logs, and asks the client for sampling and elicitation during its tool calls. Everything the upstream
 * sends before its result travels as SSE events through the lane and the emulator to the client's handlers.
 */
class McpStreamableE2eTest {

    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    @TempDir
    static Path dir;

    static UpstreamMcpServer upstream;
    static GatewayHarness gateway;

    @BeforeAll
    static void start() {
        upstream = UpstreamMcpServer.startInteractive();
        String config = """
                {"mode":"lane",
                 "session":{"keys":[{"id":"k1","env":"MCP_K1"}],"audience":"mcp-lane-e2e"},
                 "upstreams":[{"name":"calc","url":"%s","timeout_ms":20000}]}""".formatted(upstream.endpoint());
        gateway = GatewayHarness.builder(dir)
                .plugin(new McpGatewayPlugin())
                .env("MCP_K1", KEY)
                .lane()
                .route(
                        "mcp",
                        ApisixRoutes.uri("/mcp")
                                .preReq(McpGatewayPlugin.NAME, config)
                                .upstream(ApisixRoutes.LANE)
                                .readTimeout(120)
                                .toJson())
                .start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    @Test
    void shouldDeliverProgressLogsSamplingAndElicitationToTheOfficialSdkClient() {
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        List<McpSchema.CreateMessageRequest> samplings = new CopyOnWriteArrayList<>();
        List<McpSchema.ElicitFormRequest> elicitations = new CopyOnWriteArrayList<>();
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        gateway.baseUri().toString())
                .endpoint("/mcp")
                .build();
        try (McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .capabilities(McpSchema.ClientCapabilities.builder()
                        .sampling()
                        .elicitation()
                        .build())
                .progressConsumer(progress::add)
                .loggingConsumer(logs::add)
                .sampling(request -> {
                    samplings.add(request);
                    String question =
                            ((McpSchema.TextContent) request.messages().get(0).content()).text();
                    return McpSchema.CreateMessageResult.builder()
                            .role(McpSchema.Role.ASSISTANT)
                            .content(new McpSchema.TextContent("sampled: " + question))
                            .model("e2e-model")
                            .build();
                })
                .elicitation(request -> {
                    elicitations.add(request);
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("name", "Ada"));
                })
                .build()) {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.protocolVersion()).isEqualTo("2025-11-25");

            McpSchema.CallToolResult stepped = client.callTool(McpSchema.CallToolRequest.builder()
                    .name("calc_progress")
                    .arguments(Map.of("steps", 3))
                    .progressToken("e2e-token")
                    .build());
            assertThat(text(stepped)).isEqualTo("done after 3 steps");
            await().atMost(Duration.ofSeconds(5)).until(() -> progress.size() == 3);
            assertThat(progress)
                    .extracting(McpSchema.ProgressNotification::progressToken)
                    .containsOnly("e2e-token");
            // The sync SDK client hands each notification to its consumer on a scheduler of its own, so the consumer
            // may see them in any order; the wire order is asserted in McpStreamableLaneTest.
            assertThat(progress)
                    .extracting(McpSchema.ProgressNotification::progress)
                    .containsExactlyInAnyOrder(1.0, 2.0, 3.0);

            McpSchema.CallToolResult sampled =
                    client.callTool(new McpSchema.CallToolRequest("calc_sample", Map.of("question", "6*7?")));
            assertThat(text(sampled)).isEqualTo("sampled: 6*7?");
            assertThat(samplings).hasSize(1);

            McpSchema.CallToolResult elicited = client.callTool(new McpSchema.CallToolRequest("calc_elicit", Map.of()));
            assertThat(text(elicited)).isEqualTo("accept:Ada");
            assertThat(elicitations).hasSize(1);
            assertThat(elicitations.get(0).message()).isEqualTo("What is your name?");

            McpSchema.CallToolResult logged = client.callTool(new McpSchema.CallToolRequest("calc_log", Map.of()));
            assertThat(text(logged)).isEqualTo("logged");
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.isEmpty());
            assertThat(logs.get(0).data()).isEqualTo("hello from upstream");
            assertThat(logs.get(0).logger()).isEqualTo("upstream");
        }
    }

    @Test
    void shouldTellTheUpstreamTheClientCannotSampleWhenItDidNotDeclareIt() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        gateway.baseUri().toString())
                .endpoint("/mcp")
                .build();
        try (McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
            client.initialize();
            McpSchema.CallToolResult sampled =
                    client.callTool(new McpSchema.CallToolRequest("calc_sample", Map.of("question", "anyone?")));
            assertThat(text(sampled)).startsWith("error:");
        }
    }
}
