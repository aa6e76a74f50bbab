package org.a6suite.ai;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.testing.TestPluginEnvironment;
import org.a6suite.testing.ai.AiProviderServer;
import org.a6suite.testing.ai.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls {@code onRequest} directly against loopback provider test servers. */
class AiGatewayPluginTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KEY_A = "sk-test-secret-A";
    private static final String KEY_B = "sk-test-secret-B";
    private static final CallContext CONTEXT =
            new CallContext(Optional.of("route#1#ext-plugin-pre-req#1"), 7, CallContext.Phase.PRE_REQ);

    private AiProviderServer first;
    private AiProviderServer second;
    private TestPluginEnvironment env;
    private AiGatewayPlugin plugin;

    @BeforeEach
    void setUp() {
        first = AiProviderServer.start().expectKey(KEY_A).reply("from first");
        second = AiProviderServer.start().expectKey(KEY_B).reply("from second");
        env = TestPluginEnvironment.withEnv(Map.of("KEY_A", KEY_A, "KEY_B", KEY_B));
        plugin = new AiGatewayPlugin();
        plugin.start(env);
    }

    @AfterEach
    void tearDown() {
        plugin.close();
        first.close();
        second.close();
        env.close();
    }

    private String twoTargets(String firstType, String secondType, String extra) {
        return """
                {"targets": [
                  {"id": "a", "type": "%s", "endpoint": "%s", "model": "model-a", "credentials": {"env": "KEY_A"},
                   "price": {"input_per_million": 2.5, "output_per_million": 10}, "priority": 0},
                  {"id": "b", "type": "%s", "endpoint": "%s", "model": "model-b", "credentials": {"env": "KEY_B"},
                   "priority": 1}],
                 "model_aliases": {"smart": ["a", "b"]}%s}
                """.formatted(firstType, endpoint(firstType, first), secondType, endpoint(secondType, second), extra);
    }

    private static String endpoint(String type, AiProviderServer server) {
        return type.equals("openai") ? server.baseUrl() + "/v1" : server.baseUrl();
    }

    private RequestDecision call(String config, String path, String body) throws Exception {
        AiGatewayConfig parsed = plugin.parseConfig(config);
        RequestView view = RequestView.builder(HttpMethod.POST, path)
                .headers(Headers.of("content-type", "application/json", "authorization", "Bearer client-key"))
                .body(Body.of(body))
                .build();
        return plugin.onRequest(view, parsed, CONTEXT).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static RequestDecision.Stop stop(RequestDecision decision) {
        assertThat(decision).isInstanceOf(RequestDecision.Stop.class);
        return (RequestDecision.Stop) decision;
    }

    private static JsonNode json(RequestDecision.Stop stop) {
        return JSON.readTree(stop.body().orElseThrow().asUtf8());
    }

    private static String header(RequestDecision.Stop stop, String name) {
        return stop.headers().first(name).orElse(null);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai", "azure-openai", "anthropic", "gemini"})
    void shouldNeverHandTheApiKeyToTheClientWhenAProviderEchoesTheRequestInItsError(String type) throws Exception {
        first.defaultFault(Fault.echoRequest());
        String config = twoTargets(type, "openai", ", \"retry\": {\"max_attempts\": 1}");

        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", CHAT));

        assertThat(stop.status()).isEqualTo(400);
        String text = new String(stop.body().orElseThrow().toByteArray(), StandardCharsets.UTF_8);
        // The provider's own words still help the client (what it received), but never the credential.
        assertThat(json(stop).path("error").path("code").asString()).isEqualTo("provider_rejected");
        assertThat(text).contains("Invalid request").contains("[redacted]").doesNotContain(KEY_A);
        assertThat(first.lastRequest().body()).contains("hi");
    }

    @Test
    void shouldAnswer400ForARequestBodyNestedBeyondTheLimit() throws Exception {
        String body = "{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x\":"
                + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        RequestDecision.Stop stop = stop(call(twoTargets("openai", "openai", ""), "/v1/chat/completions", body));
        assertThat(stop.status()).isEqualTo(400);
        assertThat(json(stop).path("error").path("message").asString()).contains("levels deep");
        assertThat(first.requests()).isEmpty();
    }

    private static final String CHAT = """
            {"model": "smart", "messages": [{"role": "system", "content": "be brief"},
             {"role": "user", "content": "hi"}]}""";

    @Test
    void shouldAnswerChatWithTokensCostAndProviderHeaders() throws Exception {
        RequestDecision.Stop stop = stop(call(twoTargets("openai", "openai", ""), "/v1/chat/completions", CHAT));

        assertThat(stop.status()).isEqualTo(200);
        assertThat(header(stop, "content-type")).isEqualTo("application/json");
        JsonNode body = json(stop);
        assertThat(body.path("choices").path(0).path("message").path("content").asString())
                .isEqualTo("from first");
        assertThat(header(stop, "x-a6-ai-target")).isEqualTo("a");
        assertThat(header(stop, "x-a6-ai-provider")).isEqualTo("openai");
        assertThat(header(stop, "x-a6-ai-model")).isEqualTo("model-a");
        assertThat(header(stop, "x-a6-ai-tokens-input")).isEqualTo("11");
        assertThat(header(stop, "x-a6-ai-tokens-output")).isEqualTo("7");
        assertThat(header(stop, "x-a6-ai-tokens-estimated")).isEqualTo("false");
        // 11 x 2.5 / 1e6 + 7 x 10 / 1e6
        assertThat(header(stop, "x-a6-ai-cost-usd")).isEqualTo("0.0000975");
        assertThat(header(stop, "x-a6-ai-attempts")).isEqualTo("1");
        var sent = JSON.readTree(first.lastRequest().body());
        assertThat(first.lastRequest().path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.path("model").asString()).isEqualTo("model-a");
        assertThat(first.lastRequest().header("authorization")).contains("Bearer " + KEY_A);
        assertThat(env.sum("a6_ai_tokens_total", Map.of("target", "a", "direction", "input")))
                .isEqualTo(11);
        assertThat(env.outcomes).singleElement().satisfies(o -> {
            assertThat(o.upstreamKey()).isEqualTo("ai/a");
            assertThat(o.status()).contains(200);
        });
    }

    @Test
    void shouldFallBackToSecondProviderWhenFirstHangsWithinAttemptDeadline() throws Exception {
        first.defaultFault(Fault.hang());
        String config = twoTargets("openai", "anthropic", """
                , "retry": {"max_attempts": 1},
                  "timeouts": {"total_ms": 5000, "attempt_floor_ms": 100, "attempt_warmup_ms": 400}""");

        long start = System.nanoTime();
        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", CHAT));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(stop.status()).isEqualTo(200);
        assertThat(json(stop)
                        .path("choices")
                        .path(0)
                        .path("message")
                        .path("content")
                        .asString())
                .isEqualTo("from second");
        assertThat(header(stop, "x-a6-ai-target")).isEqualTo("b");
        assertThat(header(stop, "x-a6-ai-attempts")).isEqualTo("2");
        assertThat(elapsedMs).isGreaterThanOrEqualTo(400).isLessThan(2_500);
    }

    @Test
    void shouldHonourRetryAfterOn429AndRetrySameProvider() throws Exception {
        first.enqueue(Fault.rateLimited(Duration.ofMillis(300)));
        String config = twoTargets("openai", "openai", ", \"retry\": {\"max_attempts\": 2, \"base_backoff_ms\": 1}");

        long start = System.nanoTime();
        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", CHAT));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(stop.status()).isEqualTo(200);
        assertThat(header(stop, "x-a6-ai-target")).isEqualTo("a");
        assertThat(header(stop, "x-a6-ai-attempts")).isEqualTo("2");
        assertThat(first.requests()).hasSize(2);
        assertThat(second.requests()).isEmpty();
        assertThat(elapsedMs).isGreaterThanOrEqualTo(300);
    }

    @Test
    void shouldTreatTruncatedStreamAsFailureAndFallBack() throws Exception {
        first.defaultFault(Fault.truncated());
        String config = twoTargets("openai", "anthropic", ", \"retry\": {\"max_attempts\": 1}");
        String streaming = CHAT.replace("{\"model\"", "{\"stream\": true, \"model\"");

        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", streaming));

        assertThat(stop.status()).isEqualTo(200);
        assertThat(header(stop, "content-type")).isEqualTo("text/event-stream");
        assertThat(header(stop, "x-a6-ai-target")).isEqualTo("b");
        String sse = stop.body().orElseThrow().asUtf8();
        assertThat(sse)
                .contains("\"content\":\"from second\"")
                .contains("\"prompt_tokens\":11")
                .endsWith("data: [DONE]\n\n");
        assertThat(JSON.readTree(first.lastRequest().body())
                        .path("stream_options")
                        .path("include_usage")
                        .asBoolean())
                .isTrue();
        assertThat(JSON.readTree(second.lastRequest().body()).path("stream").asBoolean())
                .isTrue();
    }

    @Test
    void shouldAnswer502ListingEachAttemptWithoutLeakingSecretsWhenAllFail() throws Exception {
        first.defaultFault(Fault.status(500));
        second.defaultFault(Fault.reset());
        String config = twoTargets("openai", "openai", ", \"retry\": {\"max_attempts\": 1}");

        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", CHAT));

        assertThat(stop.status()).isEqualTo(502);
        JsonNode error = json(stop).path("error");
        assertThat(error.path("type").asString()).isEqualTo("upstream_error");
        assertThat(error.path("code").asString()).isEqualTo("all_providers_failed");
        assertThat(error.path("attempts")).hasSize(2);
        assertThat(error.path("attempts").path(0).path("target").asString()).isEqualTo("a");
        assertThat(error.path("attempts").path(0).path("outcome").asString()).isEqualTo("server_error");
        assertThat(error.path("attempts").path(0).path("status").asInt()).isEqualTo(500);
        assertThat(error.path("attempts").path(1).path("outcome").asString()).isEqualTo("connection_error");
        String text = stop.body().orElseThrow().asUtf8();
        assertThat(text)
                .doesNotContain(KEY_A)
                .doesNotContain(KEY_B)
                .doesNotContain("127.0.0.1")
                .doesNotContain("scripted failure");
    }

    @Test
    void shouldAnswer504WhenNoProviderAnswersWithinTotalDeadline() throws Exception {
        first.defaultFault(Fault.hang());
        second.defaultFault(Fault.hang());
        // One attempt per target: a times out at 300 ms, b at about 600; the total deadline (1.5 s) leaves room for
        // both on a loaded machine, and the answer is 504 because every attempt timed out.
        String config = twoTargets("openai", "openai", """
                , "retry": {"max_attempts": 1},
                  "timeouts": {"total_ms": 1500, "attempt_floor_ms": 100, "attempt_warmup_ms": 300,
                               "attempt_ceiling_ms": 1500}""");

        long start = System.nanoTime();
        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", CHAT));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(stop.status()).isEqualTo(504);
        assertThat(json(stop).path("error").path("code").asString()).isEqualTo("deadline_exceeded");
        assertThat(json(stop).path("error").path("attempts").size())
                .as(json(stop).toString())
                .isEqualTo(2);
        assertThat(first.requests()).hasSize(1);
        assertThat(second.requests()).hasSize(1);
        assertThat(elapsedMs).isLessThan(3_000);
    }

    @Test
    void shouldFallBackWhenProviderAnswersMalformedJson() throws Exception {
        first.defaultFault(Fault.malformed());
        String config = twoTargets("openai", "gemini", ", \"retry\": {\"max_attempts\": 1}");

        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", CHAT));

        assertThat(stop.status()).isEqualTo(200);
        assertThat(header(stop, "x-a6-ai-provider")).isEqualTo("gemini");
        assertThat(second.lastRequest().path()).isEqualTo("/v1beta/models/model-b:generateContent");
        assertThat(second.lastRequest().header("x-goog-api-key")).contains(KEY_B);
    }

    @Test
    void shouldFallBackWhenCredentialIsMissing() throws Exception {
        String config = twoTargets("openai", "ollama", "").replace("\"env\": \"KEY_A\"", "\"env\": \"NOT_SET\"");

        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", CHAT));

        assertThat(stop.status()).isEqualTo(200);
        assertThat(header(stop, "x-a6-ai-provider")).isEqualTo("ollama");
        assertThat(first.requests()).isEmpty();
        assertThat(second.lastRequest().path()).isEqualTo("/api/chat");
    }

    @Test
    void shouldMapToolCallsThroughAnthropic() throws Exception {
        first.toolCall("get_weather", "{\"city\":\"Paris\"}");
        String config = twoTargets("anthropic", "openai", "");
        String body = """
                {"model": "model-a", "messages": [{"role": "user", "content": "weather in Paris?"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}""";

        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", body));

        JsonNode message = json(stop).path("choices").path(0).path("message");
        assertThat(json(stop).path("choices").path(0).path("finish_reason").asString())
                .isEqualTo("tool_calls");
        assertThat(message.path("tool_calls")
                        .path(0)
                        .path("function")
                        .path("name")
                        .asString())
                .isEqualTo("get_weather");
        assertThat(JSON.readTree(message.path("tool_calls")
                                .path(0)
                                .path("function")
                                .path("arguments")
                                .asString())
                        .path("city")
                        .asString())
                .isEqualTo("Paris");
        JsonNode sent = JSON.readTree(first.lastRequest().body());
        assertThat(sent.path("tools").path(0).path("input_schema").path("type").asString())
                .isEqualTo("object");
        assertThat(first.lastRequest().header("anthropic-version")).contains("2023-06-01");
    }

    @Test
    void shouldUseAzureDeploymentPathApiVersionAndApiKey() throws Exception {
        String config = twoTargets("azure-openai", "openai", "");

        RequestDecision.Stop stop = stop(call(config, "/v1/chat/completions", CHAT));

        assertThat(stop.status()).isEqualTo(200);
        assertThat(first.lastRequest().uri())
                .isEqualTo("/openai/deployments/model-a/chat/completions" + "?api-version=2024-10-21");
        assertThat(first.lastRequest().header("api-key")).contains(KEY_A);
        assertThat(first.lastRequest().header("authorization")).isEmpty();
    }

    @Test
    void shouldEstimateTokensWithTokenizerWhenProviderReportsNoUsage() throws Exception {
        first.omitUsage(true);

        RequestDecision.Stop stop = stop(call(twoTargets("openai", "openai", ""), "/v1/chat/completions", CHAT));

        assertThat(header(stop, "x-a6-ai-tokens-estimated")).isEqualTo("true");
        assertThat(Long.parseLong(header(stop, "x-a6-ai-tokens-input"))).isPositive();
        assertThat(Long.parseLong(header(stop, "x-a6-ai-tokens-output"))).isEqualTo(2); // "from first"
    }

    @Test
    void shouldServeEmbeddingsSkippingProvidersWithoutThem() throws Exception {
        String config = twoTargets("anthropic", "gemini", "");

        RequestDecision.Stop stop =
                stop(call(config, "/v1/embeddings", "{\"model\": \"smart\", \"input\": [\"one\", \"two\"]}"));

        assertThat(stop.status()).isEqualTo(200);
        JsonNode body = json(stop);
        assertThat(body.path("object").asString()).isEqualTo("list");
        assertThat(body.path("data")).hasSize(2);
        assertThat(body.path("data").path(1).path("index").asInt()).isEqualTo(1);
        assertThat(header(stop, "x-a6-ai-tokens-estimated")).isEqualTo("true");
        assertThat(first.requests()).isEmpty();
    }

    @Test
    void shouldRejectBadInputWithOpenAiStyleErrors() throws Exception {
        String config = twoTargets(
                "openai", "openai", ", \"allowed_models\": [\"smart\", \"model-b\"]," + " \"max_body_bytes\": 2048");

        RequestDecision.Stop malformed = stop(call(config, "/v1/chat/completions", "{not json"));
        RequestDecision.Stop missing = stop(call(config, "/v1/chat/completions", "{\"model\": \"smart\"}"));
        RequestDecision.Stop unknown = stop(call(config, "/v1/chat/completions", CHAT.replace("smart", "gpt-9")));
        RequestDecision.Stop disallowed = stop(call(config, "/v1/chat/completions", CHAT.replace("smart", "model-a")));
        RequestDecision.Stop large = stop(call(config, "/v1/chat/completions", CHAT.replace("hi", "x".repeat(3000))));

        assertThat(malformed.status()).isEqualTo(400);
        assertThat(json(malformed).path("error").path("code").asString()).isEqualTo("invalid_json");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(json(missing).path("error").path("param").asString()).isEqualTo("messages");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(json(unknown).path("error").path("code").asString()).isEqualTo("model_not_found");
        assertThat(disallowed.status()).isEqualTo(400);
        assertThat(json(disallowed).path("error").path("code").asString()).isEqualTo("model_not_allowed");
        assertThat(large.status()).isEqualTo(413);
        assertThat(json(large).path("error").path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(first.requests()).isEmpty();
    }

    @Test
    void shouldRejectChatWithoutModelLikeOpenAiWhenRouteIsNotAPrompt() throws Exception {
        String config = twoTargets("openai", "openai", "");

        RequestDecision.Stop stop = stop(
                call(config, "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));

        assertThat(stop.status()).isEqualTo(400);
        JsonNode error = json(stop).path("error");
        assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.path("param").asString()).isEqualTo("model");
        assertThat(error.path("code").asString()).isEqualTo("missing_required_parameter");
        assertThat(error.path("message").asString()).contains("model");
        assertThat(first.requests()).isEmpty();
        assertThat(second.requests()).isEmpty();
    }

    @Test
    void shouldServePromptRouteWithoutModelInTheRequest() throws Exception {
        String config = twoTargets("openai", "openai", ", \"prompt\": {\"template\": \"Say {{x}}\"}");

        RequestDecision.Stop stop = stop(call(config, "/p", "{\"x\": \"hi\"}"));

        assertThat(stop.status()).isEqualTo(200);
        assertThat(json(stop).path("output").asString()).isEqualTo("from first");
    }

    @Test
    void shouldNameTheFieldItsValueAndTheExpectedTypeWhenAPromptVariableHasTheWrongType() throws Exception {
        String config = twoTargets("openai", "openai", """
                , "prompt": {"template": "Translate {{text}}",
                   "input_schema": {"type": "object", "required": ["text"],
                                    "properties": {"text": {"type": "string"}}}}""");

        RequestDecision.Stop wrongType = stop(call(config, "/translate", "{\"text\": 5}"));
        RequestDecision.Stop missing = stop(call(config, "/translate", "{}"));

        assertThat(wrongType.status()).isEqualTo(400);
        JsonNode error = json(wrongType).path("error");
        assertThat(error.path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asString()).isEqualTo("invalid_variables");
        assertThat(error.path("param").asString()).isEqualTo("text");
        assertThat(error.path("message").asString()).contains("text: 5 (expected: a string)");
        assertThat(json(missing).path("error").path("message").asString())
                .contains("text: missing (expected: a value)");
        assertThat(first.requests()).isEmpty();
    }

    @Test
    void shouldServePromptTemplateAsRestEndpointWithSchemas() throws Exception {
        first.reply("{\"sentiment\": \"positive\", \"score\": 0.9}");
        String config = twoTargets("openai", "openai", """
                , "prompt": {"system": "You classify sentiment.",
                   "template": "Classify the sentiment of: {{text}}",
                   "input_schema": {"type": "object", "required": ["text"],
                                    "properties": {"text": {"type": "string", "maxLength": 200}}},
                   "output_schema": {"type": "object", "required": ["sentiment"],
                                     "properties": {"sentiment": {"enum": ["positive", "negative", "neutral"]}}},
                   "temperature": 0}""");

        RequestDecision.Stop ok = stop(call(config, "/sentiment", "{\"text\": \"I love it\"}"));
        RequestDecision.Stop bad = stop(call(config, "/sentiment", "{\"text\": 42}"));

        assertThat(ok.status()).isEqualTo(200);
        assertThat(json(ok).path("sentiment").asString()).isEqualTo("positive");
        JsonNode sent = JSON.readTree(first.requests().get(0).body());
        assertThat(sent.path("messages").path(1).path("content").asString())
                .isEqualTo("Classify the sentiment of: I love it");
        assertThat(sent.path("response_format").path("type").asString()).isEqualTo("json_schema");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(json(bad).path("error").path("code").asString()).isEqualTo("invalid_variables");
        assertThat(first.requests()).hasSize(1);
    }

    @Test
    void shouldRejectModelOutputThatBreaksTheOutputSchema() throws Exception {
        first.reply("not json at all");
        String config = twoTargets("openai", "openai", """
                , "prompt": {"template": "Say {{x}}", "output_schema": {"type": "object"}}""");

        RequestDecision.Stop stop = stop(call(config, "/p", "{\"x\": \"hi\"}"));

        assertThat(stop.status()).isEqualTo(502);
        assertThat(json(stop).path("error").path("code").asString()).isEqualTo("invalid_model_output");
    }

    @Test
    void shouldRewriteForPassthroughWithCredentialsModelAndTargetHeader() throws Exception {
        String config = twoTargets("azure-openai", "openai", ", \"mode\": \"passthrough\"");

        RequestDecision decision =
                call(config, "/v1/chat/completions", CHAT.replace("{\"model\"", "{\"stream\": true, \"model\""));

        assertThat(decision).isInstanceOf(RequestDecision.Rewrite.class);
        var rewrite = (RequestDecision.Rewrite) decision;
        assertThat(rewrite.path()).contains("/openai/deployments/model-a/chat/completions");
        assertThat(rewrite.args()).anySatisfy(a -> {
            assertThat(a.name()).isEqualTo("api-version");
            assertThat(a.value()).contains("2024-10-21");
        });
        assertThat(rewrite.headers()).anySatisfy(h -> {
            assertThat(h.name()).isEqualTo("x-a6-ai-target");
            assertThat(h.value()).contains("a");
        });
        assertThat(rewrite.headers()).anySatisfy(h -> {
            assertThat(h.name()).isEqualTo("api-key");
            assertThat(h.value()).contains(KEY_A);
        });
        JsonNode body = JSON.readTree(rewrite.body().orElseThrow().asString(StandardCharsets.UTF_8));
        assertThat(body.path("model").asString()).isEqualTo("model-a");
        assertThat(body.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
        assertThat(first.requests()).isEmpty();
    }

    @Test
    void shouldListConfiguredModels() throws Exception {
        AiGatewayConfig parsed = plugin.parseConfig(twoTargets("openai", "openai", ""));
        RequestView view = RequestView.builder(HttpMethod.GET, "/v1/models").build();

        RequestDecision.Stop stop = stop(
                plugin.onRequest(view, parsed, CONTEXT).toCompletableFuture().get(5, TimeUnit.SECONDS));

        assertThat(json(stop).path("data"))
                .extracting(n -> n.path("id").asString())
                .containsExactly("smart", "model-a", "model-b");
    }
}
