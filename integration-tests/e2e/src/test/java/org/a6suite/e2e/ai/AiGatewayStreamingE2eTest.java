package org.a6suite.e2e.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.testing.ai.AiProviderServer;
import org.a6suite.testing.ai.Fault;
import org.a6suite.testing.ai.TokenGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming end to end through the runner's HTTP lane: the official OpenAI Java SDK's streaming client, an APISIX
 * route (emulator) whose {@code ext-plugin-pre-req} runs {@code ai-gateway} in {@code lane} mode and whose upstream is
 * the runner's lane, and slow-drip provider test servers. The emulator relays the lane's chunks as nginx does for an
 * upstream that sends {@code X-Accel-Buffering: no}, so that tokens arrive one by one is asserted, not just content:
 * without a clock, by a provider that holds each token back until the test received the one before through the
 * gateway.
 */
// The SDK's raw responses (HttpResponseFor, @MustBeClosed) are closed by parse() for whole answers, and with the
// StreamResponse parse() returns (in try-with-resources) for streams: nothing is left to close.
@SuppressWarnings("MustBeClosedChecker")
class AiGatewayStreamingE2eTest {

    private static final String KEY_PRIMARY = "sk-e2e-primary-secret";
    private static final String KEY_BACKUP = "sk-e2e-backup-secret";
    private static final Duration FIRST_TOKEN = Duration.ofMillis(300);
    private static final Duration GAP = Duration.ofMillis(100);
    private static final int TOKENS = 10;
    /** How long a test waits for a token it is owed: a bound for failing, never reached when the gateway streams. */
    private static final Duration TOKEN_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private AiProviderServer primary;
    private AiProviderServer backup;
    private GatewayHarness gateway;
    private OpenAIClient sdk;

    @BeforeEach
    void start() {
        primary = AiProviderServer.start().expectKey(KEY_PRIMARY).drip(FIRST_TOKEN, TOKENS, GAP);
        backup = AiProviderServer.start().expectKey(KEY_BACKUP).drip(FIRST_TOKEN, TOKENS, GAP);
        String config = """
                {"mode": "lane",
                 "targets": [
                  {"id": "primary", "type": "openai", "endpoint": "%s/v1", "model": "gpt-primary",
                   "credentials": {"env": "PRIMARY_KEY"},
                   "price": {"input_per_million": 2.5, "output_per_million": 10}, "priority": 0},
                  {"id": "backup", "type": "openai", "endpoint": "%s/v1", "model": "gpt-backup",
                   "credentials": {"env": "BACKUP_KEY"}, "priority": 1}],
                 "model_aliases": {"smart": ["primary", "backup"]},
                 "retry": {"max_attempts": 1},
                 "timeouts": {"total_ms": 120000,
                              "first_token": {"warmup_ms": 3000},
                              "token_gap": {"floor_ms": 2000, "warmup_ms": 5000}}}
                """.formatted(primary.baseUrl(), backup.baseUrl());
        gateway = GatewayHarness.builder(dir)
                .plugin(new AiGatewayPlugin())
                .env("PRIMARY_KEY", KEY_PRIMARY)
                .env("BACKUP_KEY", KEY_BACKUP)
                .lane()
                .route(
                        "ai",
                        ApisixRoutes.uri("/ai/*")
                                .preReq(AiGatewayPlugin.NAME, config)
                                .upstream(ApisixRoutes.LANE)
                                .readTimeout(150)
                                .toJson())
                .start();
        sdk = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.url("/ai/v1"))
                .apiKey("client-key")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    @AfterEach
    void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        primary.close();
        backup.close();
    }

    private static ChatCompletionCreateParams streamParams(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage("Count for me.")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
    }

    private static String content(ChatCompletionChunk chunk) {
        return chunk.choices().isEmpty()
                ? ""
                : chunk.choices().get(0).delta().content().orElse("");
    }

    private static List<ChatCompletionChunk> readAll(OpenAIClient client, ChatCompletionCreateParams params) {
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params)) {
            return stream.stream().toList();
        }
    }

    private static String text(List<ChatCompletionChunk> chunks) {
        StringBuilder sb = new StringBuilder();
        chunks.forEach(c -> sb.append(content(c)));
        return sb.toString();
    }

    /** The content of the next chunk that has some (role-only ones skipped); null if none came within TOKEN_WAIT. */
    private static String nextContent(BlockingQueue<ChatCompletionChunk> received, List<ChatCompletionChunk> all)
            throws InterruptedException {
        ChatCompletionChunk chunk;
        while ((chunk = received.poll(TOKEN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            all.add(chunk);
            if (!content(chunk).isEmpty()) {
                return content(chunk);
            }
        }
        return null;
    }

    @Test
    void shouldHandOverEachTokenBeforeTheProviderSendsTheNext() throws Exception {
        // Direct to the provider with the same SDK, as the baseline a user compares against.
        OpenAIClient directClient = OpenAIOkHttpClient.builder()
                .baseUrl(primary.baseUrl() + "/v1")
                .apiKey(KEY_PRIMARY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(60))
                .build();
        List<ChatCompletionChunk> direct;
        try {
            direct = readAll(directClient, streamParams("gpt-primary"));
        } finally {
            directClient.close();
        }
        TokenGate gate = new TokenGate();
        primary.enqueue(Fault.gated(gate));
        BlockingQueue<ChatCompletionChunk> received = new LinkedBlockingQueue<>();
        CompletableFuture<Void> reading = CompletableFuture.runAsync(
                () -> {
                    try (StreamResponse<ChatCompletionChunk> stream =
                            sdk.chat().completions().createStreaming(streamParams("smart"))) {
                        stream.stream().forEach(received::add);
                    }
                },
                task -> Thread.ofVirtual().name("sdk-stream-reader").start(task));
        List<ChatCompletionChunk> viaGateway = new ArrayList<>();

        // Streaming, shown without a clock: the provider sends token i only when the test lets it through, which it
        // does only after token i-1 came out of the gateway. A gateway (or relay) that held back any part of the
        // answer would never hand the awaited token over, and the wait, bounded by TOKEN_WAIT, would fail the test.
        for (int i = 0; i < TOKENS; i++) {
            gate.letThrough(1);
            assertThat(nextContent(received, viaGateway))
                    .as("token %d through the gateway while the provider holds token %d back", i, i + 1)
                    .isEqualTo("tok" + i + " ");
        }
        assertThat(reading).succeedsWithin(TOKEN_WAIT);
        received.drainTo(viaGateway);

        assertThat(text(viaGateway)).isEqualTo(text(direct)).startsWith("tok0 ").contains("tok" + (TOKENS - 1));
        // The usage chunk (empty choices) comes last, with the provider's counts.
        ChatCompletionChunk usage = viaGateway.get(viaGateway.size() - 1);
        assertThat(usage.choices()).isEmpty();
        assertThat(usage.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(AiProviderServer.PROMPT_TOKENS);
            assertThat(u.completionTokens()).isEqualTo(AiProviderServer.COMPLETION_TOKENS);
        });
    }

    @Test
    void shouldFallBackBeforeTheFirstTokenAndStreamOneCleanAnswerFromTheBackup() {
        primary.enqueue(Fault.status(500));
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> response =
                sdk.chat().completions().withRawResponse().createStreaming(streamParams("smart"));
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = response.parse()) {
            chunks = stream.stream().toList();
        }
        assertThat(response.headers().values("x-a6-ai-target")).containsExactly("backup");
        assertThat(chunks).anySatisfy(c -> assertThat(c.model()).isEqualTo("gpt-backup"));
        assertThat(primary.requests()).hasSize(1);
        assertThat(backup.requests()).hasSize(1);
    }

    @Test
    void shouldFallBackWhenTheFirstTokenStalls() {
        primary.enqueue(Fault.stallBeforeFirstToken());
        List<ChatCompletionChunk> chunks = readAll(sdk, streamParams("smart"));
        assertThat(text(chunks)).startsWith("tok0 ");
        assertThat(backup.requests()).hasSize(1);
    }

    @Test
    void shouldEndWithAnErrorTheSdkRaisesWhenTheProviderFailsMidStream() {
        primary.enqueue(Fault.resetAfter(3));
        List<String> seen = new ArrayList<>();
        Throwable error = catchThrowable(() -> {
            try (StreamResponse<ChatCompletionChunk> stream =
                    sdk.chat().completions().createStreaming(streamParams("gpt-primary"))) {
                stream.stream()
                        .forEach(c ->
                                c.choices().forEach(ch -> ch.delta().content().ifPresent(seen::add)));
            }
        });
        // Never a clean end: the SDK must not hand a truncated answer over as complete.
        assertThat(error).isNotNull();
        assertThat(String.join("", seen)).startsWith("tok0 ");
        assertThat(backup.requests()).as("no fallback after the first byte").isEmpty();
    }

    @Test
    void shouldAbortTheProviderCallWhenTheClientGoesAway() {
        int closedBefore = primary.closedConnections();
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(streamParams("gpt-primary"))) {
            Iterator<ChatCompletionChunk> it = stream.stream().iterator();
            int contentChunks = 0;
            while (it.hasNext() && contentChunks < 2) {
                ChatCompletionChunk c = it.next();
                if (!c.choices().isEmpty()
                        && c.choices().get(0).delta().content().isPresent()) {
                    contentChunks++;
                }
            }
        } // closing mid-stream drops the client connection
        await().atMost(Duration.ofSeconds(3)).until(() -> primary.closedConnections() > closedBefore);
    }

    @Test
    void shouldServeNonStreamingCallsOnTheLaneWithAccountingHeaders() {
        HttpResponseFor<ChatCompletion> response = sdk.chat()
                .completions()
                .withRawResponse()
                .create(ChatCompletionCreateParams.builder()
                        .model("smart")
                        .addUserMessage("Hi")
                        .build());
        ChatCompletion completion = response.parse();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(completion.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).isNotBlank());
        assertThat(response.headers().values("x-a6-ai-target")).containsExactly("primary");
        assertThat(response.headers().values("x-a6-ai-tokens-input"))
                .containsExactly(Integer.toString(AiProviderServer.PROMPT_TOKENS));
    }

    @Test
    void shouldRefuseARequestThatReachesTheLaneWithoutAHandoff() throws Exception {
        var lane = gateway.runner().laneAddress().orElseThrow();
        HttpURLConnection c =
                (HttpURLConnection) URI.create("http://127.0.0.1:" + lane.getPort() + "/ai/v1/chat/completions")
                        .toURL()
                        .openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("content-type", "application/json");
        c.setRequestProperty("x-a6-lane", "v1.1.0.1.99999999999999.AAAAAAAAAAAAAAAAAAAAAA");
        c.getOutputStream()
                .write("{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(c.getResponseCode()).isEqualTo(403);
        try (InputStream err = c.getErrorStream()) {
            assertThat(new String(err.readAllBytes(), StandardCharsets.UTF_8)).doesNotContain("v1.1.0.1");
        }
        assertThat(primary.requests()).isEmpty();
    }
}
