package org.a6suite.e2e.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.a6suite.testing.ai.AiProviderServer;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;
import org.a6suite.testing.mcp.RestToolBackend;
import org.a6suite.testing.mcp.UpstreamMcpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every a6 metric the shipped Grafana dashboard queries exists: one runner with ai-gateway, mcp-gateway and
 * adaptive-fallback behind the APISIX emulator serves a streamed AI call (lane), MCP tool and resource calls and a
 * fallback; then its {@code GET /metrics} must expose every runner, lane and plugin metric name the dashboard's PromQL
 * reads. (The optimizer's names are checked against its actuator by the optimizer's own API test.)
 */
class DashboardMetricsE2eTest {

    private static final String MCP_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    private static final String PROVIDER_KEY = "sk-e2e-dashboard";

    @TempDir
    Path dir;

    private AiProviderServer provider;
    private RestToolBackend tools;
    private UpstreamMcpServer mcpAll;
    private EchoBackend backend;
    private GatewayHarness gateway;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() {
        provider =
                AiProviderServer.start().expectKey(PROVIDER_KEY).drip(Duration.ofMillis(20), 3, Duration.ofMillis(5));
        tools = RestToolBackend.start();
        mcpAll = UpstreamMcpServer.startWithAllFeatures("north");
        backend = EchoBackend.start();
        String ai = """
                {"mode": "lane",
                 "targets": [{"id": "primary", "type": "openai", "endpoint": "%s/v1", "model": "gpt-primary",
                   "credentials": {"env": "PROVIDER_KEY"},
                   "price": {"input_per_million": 2.5, "output_per_million": 10}}],
                 "retry": {"max_attempts": 1}}
                """.formatted(provider.baseUrl());
        String mcp = """
                {"session":{"keys":[{"id":"k1","env":"MCP_K1"}],"audience":"mcp-dashboard"},
                 "backends":[{"name":"shop","base_url":"%s/api","timeout_ms":3000}],
                 "tools":[{"name":"orders_get","backend":"shop","method":"GET","path":"/orders/{id}",
                   "input_schema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}}],
                 "upstreams":[{"name":"north","url":"%s"}]}
                """.formatted(tools.baseUri(), mcpAll.endpoint());
        String fallback = """
                {"breaker":{"window_size":4,"minimum_calls":4,"failure_rate_threshold":50,"wait_in_open_ms":1000,
                            "permitted_in_half_open":1,"half_open_share":1},
                 "cache":{"cache_set_cookie":true},
                 "static":{"status":200,"content_type":"application/json","body":"{}"}}
                """;
        gateway = GatewayHarness.builder(dir)
                .plugin(new AiGatewayPlugin())
                .plugin(new McpGatewayPlugin())
                .plugin(new AdaptiveFallbackPlugin())
                .env("PROVIDER_KEY", PROVIDER_KEY)
                .env("MCP_K1", MCP_KEY)
                .lane()
                .route(
                        "ai",
                        ApisixRoutes.uri("/ai/*")
                                .preReq(AiGatewayPlugin.NAME, ai)
                                .upstream(ApisixRoutes.LANE)
                                .toJson())
                .route(
                        "mcp",
                        ApisixRoutes.uri("/mcp")
                                .preReq(McpGatewayPlugin.NAME, mcp)
                                .toJson())
                .route(
                        "items",
                        ApisixRoutes.uri("/items/*")
                                .preReq(AdaptiveFallbackPlugin.NAME, fallback)
                                .postResp(AdaptiveFallbackPlugin.NAME, fallback)
                                .upstream(backend.hostPort())
                                .toJson())
                .start();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        provider.close();
        tools.close();
        mcpAll.close();
        backend.close();
    }

    @Test
    void shouldExposeEveryRunnerAndPluginMetricTheDashboardQueries() throws Exception {
        streamOneChat();
        callMcpToolAndListResources();
        serveOneFallback();

        Set<String> wanted = DashboardQueries.metricNames(DashboardQueries.expressions(DashboardQueries.dashboard()));
        wanted.removeIf(name -> name.startsWith("a6_optimizer_"));
        assertThat(wanted)
                .as("the dashboard queries runner and plugin metrics")
                .contains(
                        "a6_runner_calls_total",
                        "a6_ai_tokens_total",
                        "a6_mcp_tool_calls_total",
                        "a6_fallback_served_total");
        // Metrics recorded when a stream ends may land just after the client read its last chunk.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                DashboardQueries.exposed(gateway.runner().renderMetrics()))
                        .containsAll(wanted));
    }

    private void streamOneChat() {
        OpenAIClient sdk = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.url("/ai/v1"))
                .apiKey("client-key")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat()
                .completions()
                .createStreaming(ChatCompletionCreateParams.builder()
                        .model("gpt-primary")
                        .addUserMessage("Count.")
                        .streamOptions(ChatCompletionStreamOptions.builder()
                                .includeUsage(true)
                                .build())
                        .build())) {
            assertThat(stream.stream().toList()).isNotEmpty();
        } finally {
            sdk.close();
        }
    }

    private void callMcpToolAndListResources() {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        gateway.baseUri().toString())
                .endpoint("/mcp")
                .build();
        try (McpSyncClient client =
                McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20)).build()) {
            client.initialize();
            McpSchema.CallToolResult order =
                    client.callTool(new McpSchema.CallToolRequest("orders_get", Map.of("id", "dash-1")));
            assertThat(order.isError()).isFalse();
            assertThat(client.listResources().resources()).isNotEmpty();
        }
    }

    private void serveOneFallback() throws Exception {
        assertThat(get("/items/a").statusCode()).isEqualTo(200);
        backend.fault(Fault.status(503));
        HttpResponse<String> replaced = get("/items/a");
        assertThat(replaced.headers().firstValue("X-A6-Fallback")).contains("cache");
        backend.fault(Fault.NONE);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(gateway.baseUri().resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldFindTheA6MetricNamesInEveryQueryOfTheDashboard() throws Exception {
        List<String> exprs = DashboardQueries.expressions(DashboardQueries.dashboard());

        assertThat(exprs)
                .isNotEmpty()
                .allSatisfy(expr -> assertThat(DashboardQueries.metricNames(List.of(expr)))
                        .as(expr)
                        .isNotEmpty());
    }
}
