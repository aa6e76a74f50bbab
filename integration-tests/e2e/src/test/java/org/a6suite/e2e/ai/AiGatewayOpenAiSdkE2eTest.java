package org.a6suite.e2e.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonMissing;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.testing.ai.AiProviderServer;
import org.a6suite.testing.ai.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * End to end: the official OpenAI Java SDK, pointed at an APISIX route (emulator) whose
 * {@code ext-plugin-pre-req} runs {@code ai-gateway} in the a6 runner, with loopback provider test servers as targets.
 * Every provider answer, fault and header the client sees has crossed the A6 protocol and the emulator's HTTP hop.
 */
// The SDK's raw responses (HttpResponseFor, @MustBeClosed) are closed by parse() for whole answers, and with the
// StreamResponse parse() returns (in try-with-resources) for streams: nothing is left to close.
@SuppressWarnings("MustBeClosedChecker")
class AiGatewayOpenAiSdkE2eTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KEY_PRIMARY = "sk-e2e-primary-secret";
    private static final String KEY_BACKUP = "sk-e2e-backup-secret";
    private static final String KEY_CLAUDE = "sk-ant-e2e-secret";
    private static final String CLIENT_KEY = "client-key-not-a-provider-key";
    private static final String ANSWER = "Paris is the capital of France.";

    @TempDir
    Path dir;

    private AiProviderServer primary;
    private AiProviderServer backup;
    private AiProviderServer claude;
    private GatewayHarness gateway;
    private OpenAIClient sdk;

    @BeforeEach
    void startProviders() {
        primary = AiProviderServer.start().expectKey(KEY_PRIMARY).reply(ANSWER);
        backup = AiProviderServer.start().expectKey(KEY_BACKUP).reply("answer from backup");
        claude = AiProviderServer.start().expectKey(KEY_CLAUDE).reply("answer from claude");
    }

    @AfterEach
    void stopAll() {
        if (sdk != null) {
            sdk.close();
        }
        closeQuietly(gateway);
        primary.close();
        backup.close();
        claude.close();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Best effort: a failing close must not hide the test's own failure.
            }
        }
    }

    /**
     * Starts the gateway with one route {@code /ai/*} whose ai-gateway config has targets {@code primary} (OpenAI,
     * priced), {@code backup} (OpenAI) and {@code claude} (Anthropic), alias {@code smart} = primary then backup, and
     * the given extra top-level fields; the SDK's base URL is {@code /ai/v1}.
     */
    private void start(String extraConfig) {
        String config = """
                {"targets": [
                  {"id": "primary", "type": "openai", "endpoint": "%s/v1", "model": "gpt-primary",
                   "credentials": {"env": "PRIMARY_KEY"},
                   "price": {"input_per_million": 2.5, "output_per_million": 10}, "priority": 0},
                  {"id": "backup", "type": "openai", "endpoint": "%s/v1", "model": "gpt-backup",
                   "credentials": {"env": "BACKUP_KEY"}, "priority": 1},
                  {"id": "claude", "type": "anthropic", "endpoint": "%s", "model": "claude-e2e",
                   "credentials": {"env": "CLAUDE_KEY"},
                   "price": {"input_per_million": 0.8, "output_per_million": 4}, "priority": 2}],
                 "model_aliases": {"smart": ["primary", "backup"]}%s}
                """.formatted(primary.baseUrl(), backup.baseUrl(), claude.baseUrl(), extraConfig);
        gateway = GatewayHarness.builder(dir)
                .plugin(new AiGatewayPlugin())
                .env("PRIMARY_KEY", KEY_PRIMARY)
                .env("BACKUP_KEY", KEY_BACKUP)
                .env("CLAUDE_KEY", KEY_CLAUDE)
                .route(
                        "ai",
                        ApisixRoutes.uri("/ai/*")
                                .preReq(AiGatewayPlugin.NAME, config)
                                .toJson())
                .start();
        // No SDK retries: every retry and fallback the test sees is the gateway's.
        sdk = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.url("/ai/v1"))
                .apiKey(CLIENT_KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    private static ChatCompletionCreateParams.Builder chat(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage("Answer briefly.")
                .addUserMessage("What is the capital of France?");
    }

    private static String header(HttpResponseFor<?> response, String name) {
        return response.headers().values(name).stream().findFirst().orElse(null);
    }

    /** The error object of an SDK exception's body, read with Jackson 3 (the SDK parses it with its own Jackson 2). */
    private static JsonNode errorOf(OpenAIServiceException e) throws Exception {
        JsonNode body = JSON.readTree(ObjectMappers.jsonMapper().writeValueAsString(e.body()));
        return body.has("error") ? body.path("error") : body;
    }

    @Test
    void shouldAnswerChatCompletionWithTextUsageAndFinishReason() throws Exception {
        start("");

        ChatCompletion completion =
                sdk.chat().completions().create(chat("gpt-primary").build());

        assertThat(completion.choices()).hasSize(1);
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().content()).contains(ANSWER);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(AiProviderServer.PROMPT_TOKENS);
            assertThat(u.completionTokens()).isEqualTo(AiProviderServer.COMPLETION_TOKENS);
            assertThat(u.totalTokens()).isEqualTo(AiProviderServer.PROMPT_TOKENS + AiProviderServer.COMPLETION_TOKENS);
        });
        // The provider saw the target's model and the gateway's credential, never the client's key.
        JsonNode sent = JSON.readTree(primary.lastRequest().body());
        assertThat(primary.lastRequest().path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.path("model").asString()).isEqualTo("gpt-primary");
        assertThat(sent.path("messages")).hasSize(2);
        assertThat(primary.lastRequest().header("authorization")).contains("Bearer " + KEY_PRIMARY);
        assertThat(backup.requests()).isEmpty();
    }

    @Test
    void shouldReturnToolCallsThatTheSdkParses() throws Exception {
        primary.toolCall("get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
        start("");
        FunctionParameters parameters = FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty(
                        "properties",
                        JsonValue.from(Map.of("city", Map.of("type", "string"), "unit", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                .build();
        ChatCompletionFunctionTool tool = ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name("get_weather")
                        .description("Current weather in a city")
                        .parameters(parameters)
                        .build())
                .build();

        ChatCompletion completion =
                sdk.chat().completions().create(chat("smart").addTool(tool).build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().toolCalls()).hasValueSatisfying(calls -> {
            assertThat(calls).hasSize(1);
            ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
            assertThat(call.id()).isNotBlank();
            assertThat(call.function().name()).isEqualTo("get_weather");
            assertThat(JSON.readTree(call.function().arguments()))
                    .isEqualTo(JSON.readTree("{\"city\":\"Paris\",\"unit\":\"celsius\"}"));
        });
        JsonNode sentTool =
                JSON.readTree(primary.lastRequest().body()).path("tools").path(0);
        assertThat(sentTool.path("function").path("name").asString()).isEqualTo("get_weather");
        assertThat(sentTool.path("function")
                        .path("parameters")
                        .path("required")
                        .path(0)
                        .asString())
                .isEqualTo("city");
    }

    @Test
    void shouldStreamChunksThatConcatenateToTheAnswerWithUsageAndEndProperly() throws Exception {
        start("");
        ChatCompletionCreateParams params = chat("smart")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();

        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(params)) {
            // toList() returns only once the SDK has seen the end of the stream ([DONE]).
            chunks = stream.stream().toList();
        }

        String text = chunks.stream()
                .flatMap(c -> c.choices().stream())
                .map(c -> c.delta().content().orElse(""))
                .reduce("", String::concat);
        assertThat(text).isEqualTo(ANSWER);
        assertThat(chunks.stream()
                        .flatMap(c -> c.choices().stream())
                        .map(c -> c.finishReason())
                        .flatMap(Optional::stream)
                        .toList())
                .containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(AiProviderServer.PROMPT_TOKENS);
            assertThat(u.completionTokens()).isEqualTo(AiProviderServer.COMPLETION_TOKENS);
        });
        JsonNode sent = JSON.readTree(primary.lastRequest().body());
        assertThat(sent.path("stream").asBoolean()).isTrue();
    }

    @Test
    void shouldCreateEmbeddingsForEveryInput() throws Exception {
        start("");

        CreateEmbeddingResponse response = sdk.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("gpt-primary")
                        .inputOfArrayOfStrings(List.of("first text", "second text"))
                        .build());

        assertThat(response.data()).hasSize(2);
        assertThat(response.data().get(0).index()).isZero();
        assertThat(response.data().get(1).index()).isEqualTo(1);
        assertThat(response.data().get(0).embedding()).containsExactly(0.1f, -0.2f, 0.3f);
        assertThat(response.data().get(1).embedding()).containsExactly(0.2f, -0.2f, 0.3f);
        assertThat(response.usage().promptTokens()).isEqualTo(AiProviderServer.PROMPT_TOKENS);
        assertThat(primary.lastRequest().path()).isEqualTo("/v1/embeddings");
        assertThat(JSON.readTree(primary.lastRequest().body()).path("input")).hasSize(2);
    }

    @Test
    void shouldFallBackToSecondProviderWithinAttemptDeadlineWhenFirstHangs() throws Exception {
        primary.defaultFault(Fault.hang());
        start("""
                , "retry": {"max_attempts": 1},
                  "timeouts": {"total_ms": 8000, "attempt_floor_ms": 100, "attempt_warmup_ms": 500}""");

        long started = System.nanoTime();
        HttpResponseFor<ChatCompletion> response =
                sdk.chat().completions().withRawResponse().create(chat("smart").build());
        ChatCompletion completion = response.parse();
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(completion.choices().get(0).message().content()).contains("answer from backup");
        assertThat(header(response, "x-a6-ai-attempts")).isEqualTo("2");
        assertThat(header(response, "x-a6-ai-target")).isEqualTo("backup");
        assertThat(header(response, "x-a6-ai-model")).isEqualTo("gpt-backup");
        assertThat(primary.requests()).hasSize(1);
        // The first attempt is cut at its 500 ms deadline, not at the 8 s total deadline (slack for a loaded CI box).
        assertThat(elapsedMs).isGreaterThanOrEqualTo(500).isLessThan(3_000);
    }

    @Test
    void shouldHonourRetryAfterOn429AndAnswerFromTheSameProvider() throws Exception {
        primary.enqueue(Fault.rateLimited(Duration.ofMillis(400)));
        start(", \"retry\": {\"max_attempts\": 2, \"base_backoff_ms\": 1}");

        long started = System.nanoTime();
        HttpResponseFor<ChatCompletion> response =
                sdk.chat().completions().withRawResponse().create(chat("smart").build());
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.parse().choices().get(0).message().content()).contains(ANSWER);
        assertThat(header(response, "x-a6-ai-target")).isEqualTo("primary");
        assertThat(header(response, "x-a6-ai-attempts")).isEqualTo("2");
        assertThat(primary.requests()).hasSize(2);
        assertThat(backup.requests()).isEmpty();
        assertThat(elapsedMs).isGreaterThanOrEqualTo(400);
    }

    @Test
    void shouldRaise502ListingEveryAttemptWithoutSecretsWhenAllProvidersFail() throws Exception {
        primary.defaultFault(Fault.status(500));
        backup.defaultFault(Fault.reset());
        start(", \"retry\": {\"max_attempts\": 1}");

        InternalServerException e = catchThrowableOfType(
                InternalServerException.class,
                () -> sdk.chat().completions().create(chat("smart").build()));

        assertThat(e.statusCode()).isEqualTo(502);
        assertThat(e.code()).contains("all_providers_failed");
        JsonNode error = errorOf(e);
        assertThat(error.path("attempts")).hasSize(2);
        assertThat(error.path("attempts").path(0).path("target").asString()).isEqualTo("primary");
        assertThat(error.path("attempts").path(0).path("outcome").asString()).isEqualTo("server_error");
        assertThat(error.path("attempts").path(0).path("status").asInt()).isEqualTo(500);
        assertThat(error.path("attempts").path(1).path("target").asString()).isEqualTo("backup");
        assertThat(error.path("attempts").path(1).path("outcome").asString()).isEqualTo("connection_error");
        assertThat(error.path("attempts").path(1).path("ms").isNumber()).isTrue();
        String whole = error.toString() + e.getMessage();
        assertThat(whole)
                .doesNotContain(KEY_PRIMARY)
                .doesNotContain(KEY_BACKUP)
                .doesNotContain(CLIENT_KEY)
                .doesNotContain("127.0.0.1")
                .doesNotContain("scripted failure");
    }

    @Test
    void shouldRaise504WhenEveryAttemptTimesOut() throws Exception {
        primary.defaultFault(Fault.hang());
        backup.defaultFault(Fault.hang());
        start("""
                , "retry": {"max_attempts": 1},
                  "timeouts": {"total_ms": 6000, "attempt_floor_ms": 100, "attempt_warmup_ms": 300}""");

        long started = System.nanoTime();
        InternalServerException e = catchThrowableOfType(
                InternalServerException.class,
                () -> sdk.chat().completions().create(chat("smart").build()));
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(e.statusCode()).isEqualTo(504);
        assertThat(e.code()).contains("deadline_exceeded");
        JsonNode attempts = errorOf(e).path("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.path(0).path("outcome").asString()).isEqualTo("timeout");
        assertThat(attempts.path(1).path("outcome").asString()).isEqualTo("timeout");
        // Two 300 ms attempt deadlines, well before the 6 s total deadline.
        assertThat(elapsedMs).isGreaterThanOrEqualTo(600).isLessThan(4_000);
    }

    @Test
    void shouldRaiseNotFoundForUnknownModel() throws Exception {
        start("");

        NotFoundException e = catchThrowableOfType(
                NotFoundException.class,
                () -> sdk.chat().completions().create(chat("no-such-model").build()));

        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.code()).contains("model_not_found");
        assertThat(primary.requests()).isEmpty();
    }

    @Test
    void shouldRaiseBadRequestForMissingMessages() throws Exception {
        start("");
        // The SDK insists on messages; JsonMissing leaves the field out of the JSON it sends.
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("smart")
                .messages(JsonMissing.of())
                .build();

        BadRequestException e = catchThrowableOfType(
                BadRequestException.class, () -> sdk.chat().completions().create(params));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.code()).contains("missing_required_parameter");
        assertThat(e.param()).contains("messages");
        assertThat(primary.requests()).isEmpty();
        assertThat(backup.requests()).isEmpty();
    }

    @Test
    void shouldRaiseBadRequestForModelOutsideTheAllowList() throws Exception {
        start(", \"allowed_models\": [\"smart\"]");

        BadRequestException e = catchThrowableOfType(
                BadRequestException.class,
                () -> sdk.chat().completions().create(chat("gpt-backup").build()));

        assertThat(e.code()).contains("model_not_allowed");
        assertThat(backup.requests()).isEmpty();
    }

    @Test
    void shouldAnswerFromAnthropicTargetInOpenAiShape() throws Exception {
        start("");

        HttpResponseFor<ChatCompletion> response = sdk.chat()
                .completions()
                .withRawResponse()
                .create(chat("claude-e2e").maxCompletionTokens(64).build());
        ChatCompletion completion = response.parse();

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().content()).contains("answer from claude");
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(AiProviderServer.PROMPT_TOKENS);
            assertThat(u.completionTokens()).isEqualTo(AiProviderServer.COMPLETION_TOKENS);
        });
        assertThat(header(response, "x-a6-ai-provider")).isEqualTo("anthropic");
        // Mapped to Anthropic Messages: the system prompt moved to "system", the token limit to max_tokens.
        assertThat(claude.lastRequest().path()).isEqualTo("/v1/messages");
        assertThat(claude.lastRequest().header("x-api-key")).contains(KEY_CLAUDE);
        assertThat(claude.lastRequest().header("anthropic-version")).isPresent();
        JsonNode sent = JSON.readTree(claude.lastRequest().body());
        assertThat(sent.path("model").asString()).isEqualTo("claude-e2e");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(sent.path("system").toString()).contains("Answer briefly.");
        assertThat(sent.path("messages")).hasSize(1);
    }

    @Test
    void shouldMapAnthropicToolUseToOpenAiToolCalls() throws Exception {
        claude.toolCall("lookup", "{\"q\":\"capital of France\"}");
        start("");
        ChatCompletionFunctionTool tool = ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name("lookup")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .build())
                        .build())
                .build();

        ChatCompletion completion =
                sdk.chat().completions().create(chat("claude-e2e").addTool(tool).build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call =
                choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("lookup");
        assertThat(JSON.readTree(call.function().arguments()).path("q").asString())
                .isEqualTo("capital of France");
        assertThat(JSON.readTree(claude.lastRequest().body())
                        .path("tools")
                        .path(0)
                        .path("name")
                        .asString())
                .isEqualTo("lookup");
    }

    @Test
    void shouldReportTokensAndCostOfEveryCallInHeaders() throws Exception {
        start("");

        HttpResponseFor<ChatCompletion> priced = sdk.chat()
                .completions()
                .withRawResponse()
                .create(chat("gpt-primary").build());
        claude.omitUsage(true);
        HttpResponseFor<ChatCompletion> estimated = sdk.chat()
                .completions()
                .withRawResponse()
                .create(chat("claude-e2e").build());

        assertThat(header(priced, "x-a6-ai-target")).isEqualTo("primary");
        assertThat(header(priced, "x-a6-ai-provider")).isEqualTo("openai");
        assertThat(header(priced, "x-a6-ai-model")).isEqualTo("gpt-primary");
        assertThat(header(priced, "x-a6-ai-tokens-input")).isEqualTo("11");
        assertThat(header(priced, "x-a6-ai-tokens-output")).isEqualTo("7");
        assertThat(header(priced, "x-a6-ai-tokens-estimated")).isEqualTo("false");
        // 11 x 2.5 / 1e6 + 7 x 10 / 1e6
        assertThat(Double.parseDouble(header(priced, "x-a6-ai-cost-usd"))).isCloseTo(0.0000975, within());
        assertThat(Long.parseLong(header(priced, "x-a6-ai-latency-ms"))).isNotNegative();
        assertThat(header(priced, "x-a6-ai-attempts")).isEqualTo("1");

        // Without provider usage the gateway counts with the tokenizer, marks it, and still prices it.
        assertThat(header(estimated, "x-a6-ai-tokens-estimated")).isEqualTo("true");
        long input = Long.parseLong(header(estimated, "x-a6-ai-tokens-input"));
        long output = Long.parseLong(header(estimated, "x-a6-ai-tokens-output"));
        assertThat(input).isPositive();
        assertThat(output).isPositive();
        assertThat(Double.parseDouble(header(estimated, "x-a6-ai-cost-usd")))
                .isCloseTo((input * 0.8 + output * 4) / 1e6, within());
        assertThat(estimated.parse().usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(input);
            assertThat(u.completionTokens()).isEqualTo(output);
        });
        assertThat(Objects.requireNonNull(header(estimated, "x-a6-ai-provider")))
                .isEqualTo("anthropic");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-12);
    }
}
