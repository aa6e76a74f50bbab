package org.a6suite.ai.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Price;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.resilience.Outcome;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class AdapterMappingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Target target(ProviderType type) {
        return new Target("t", type, "http://127.0.0.1:1", "m-1", Optional.empty(), Price.FREE, 1, 0, "2024-10-21");
    }

    private static ObjectNode request(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    private static JsonNode sent(ProviderRequest request) {
        return JSON.readTree(request.body());
    }

    private static final String CONVERSATION = """
            {"model": "x", "temperature": 0.2, "top_p": 0.9, "max_tokens": 100, "stop": ["END"],
             "messages": [
              {"role": "system", "content": "be brief"},
              {"role": "user", "content": [{"type": "text", "text": "what is this?"},
                 {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                 "function": {"name": "lookup", "arguments": "{\\"q\\":\\"cat\\"}"}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "a cat"}],
             "tools": [{"type": "function", "function": {"name": "lookup", "description": "find",
                 "parameters": {"type": "object"}}}],
             "tool_choice": "required",
             "response_format": {"type": "json_object"}}""";

    @Test
    void shouldMapAnthropicRequestWithSystemImagesToolsAndToolResults() {
        JsonNode body = sent(new AnthropicAdapter()
                .chatRequest(target(ProviderType.ANTHROPIC), request(CONVERSATION), Optional.of("k"), false));

        assertThat(body.path("model").asString()).isEqualTo("m-1");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(100);
        assertThat(body.path("system").asString()).startsWith("be brief").contains("JSON object only");
        assertThat(body.path("stop_sequences").path(0).asString()).isEqualTo("END");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.2);
        JsonNode messages = body.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.path(0)
                        .path("content")
                        .path(1)
                        .path("source")
                        .path("type")
                        .asString())
                .isEqualTo("base64");
        assertThat(messages.path(0)
                        .path("content")
                        .path(1)
                        .path("source")
                        .path("media_type")
                        .asString())
                .isEqualTo("image/png");
        assertThat(messages.path(1).path("content").path(0).path("type").asString())
                .isEqualTo("tool_use");
        assertThat(messages.path(1)
                        .path("content")
                        .path(0)
                        .path("input")
                        .path("q")
                        .asString())
                .isEqualTo("cat");
        assertThat(messages.path(2).path("role").asString()).isEqualTo("user");
        assertThat(messages.path(2).path("content").path(0).path("tool_use_id").asString())
                .isEqualTo("call_1");
        assertThat(body.path("tool_choice").path("type").asString()).isEqualTo("any");
    }

    @Test
    void shouldMapAnthropicResponseUsageAndStopReasons() {
        String response = """
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
                 "content": [{"type": "text", "text": "Hi"}], "stop_reason": "max_tokens",
                 "usage": {"input_tokens": 5, "output_tokens": 9, "cache_read_input_tokens": 2}}""";

        ObjectNode out = new AnthropicAdapter()
                .parseChat(target(ProviderType.ANTHROPIC), response.getBytes(StandardCharsets.UTF_8), false);

        assertThat(out.path("choices").path(0).path("message").path("content").asString())
                .isEqualTo("Hi");
        assertThat(out.path("choices").path(0).path("finish_reason").asString()).isEqualTo("length");
        assertThat(out.path("usage").path("prompt_tokens").asLong()).isEqualTo(7);
        assertThat(out.path("usage").path("completion_tokens").asLong()).isEqualTo(9);
    }

    @Test
    void shouldReportAnthropicStreamWithoutMessageStopAsTruncated() {
        String events = """
                event: message_start
                data: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":3}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

                """;

        assertThatThrownBy(() -> new AnthropicAdapter()
                        .parseChat(target(ProviderType.ANTHROPIC), events.getBytes(StandardCharsets.UTF_8), true))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRUNCATED_STREAM);
                    assertThat(e.outcome().type()).isEqualTo(Outcome.Type.RETRYABLE_FAILURE);
                });
    }

    @Test
    void shouldMapGeminiRequestAndResponse() {
        JsonNode body = sent(new GeminiAdapter()
                .chatRequest(target(ProviderType.GEMINI), request(CONVERSATION), Optional.of("k"), false));

        assertThat(body.path("systemInstruction")
                        .path("parts")
                        .path(0)
                        .path("text")
                        .asString())
                .isEqualTo("be brief");
        assertThat(body.path("contents")
                        .path(0)
                        .path("parts")
                        .path(1)
                        .path("inlineData")
                        .path("mimeType")
                        .asString())
                .isEqualTo("image/png");
        assertThat(body.path("contents").path(1).path("role").asString()).isEqualTo("model");
        assertThat(body.path("contents")
                        .path(1)
                        .path("parts")
                        .path(0)
                        .path("functionCall")
                        .path("name")
                        .asString())
                .isEqualTo("lookup");
        assertThat(body.path("contents")
                        .path(2)
                        .path("parts")
                        .path(0)
                        .path("functionResponse")
                        .path("name")
                        .asString())
                .isEqualTo("lookup");
        assertThat(body.path("generationConfig").path("maxOutputTokens").asInt())
                .isEqualTo(100);
        assertThat(body.path("generationConfig").path("topP").asDouble()).isEqualTo(0.9);
        assertThat(body.path("generationConfig").path("responseMimeType").asString())
                .isEqualTo("application/json");
        assertThat(body.path("toolConfig")
                        .path("functionCallingConfig")
                        .path("mode")
                        .asString())
                .isEqualTo("ANY");

        ObjectNode out =
                new GeminiAdapter().parseChat(target(ProviderType.GEMINI), """
                {"candidates": [{"content": {"role": "model", "parts": [{"functionCall":
                  {"name": "lookup", "args": {"q": "dog"}}}]}, "finishReason": "STOP"}],
                 "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 6}}""".getBytes(StandardCharsets.UTF_8), false);
        assertThat(out.path("choices").path(0).path("finish_reason").asString()).isEqualTo("tool_calls");
        assertThat(out.path("choices")
                        .path(0)
                        .path("message")
                        .path("tool_calls")
                        .path(0)
                        .path("function")
                        .path("arguments")
                        .asString())
                .isEqualTo("{\"q\":\"dog\"}");
        assertThat(out.path("usage").path("total_tokens").asLong()).isEqualTo(10);
    }

    @Test
    void shouldMapOllamaOptionsFormatAndImages() {
        JsonNode body = sent(new OllamaAdapter()
                .chatRequest(target(ProviderType.OLLAMA), request(CONVERSATION), Optional.empty(), false));

        assertThat(body.path("stream").asBoolean()).isFalse();
        assertThat(body.path("options").path("num_predict").asInt()).isEqualTo(100);
        assertThat(body.path("options").path("stop").path(0).asString()).isEqualTo("END");
        assertThat(body.path("format").asString()).isEqualTo("json");
        assertThat(body.path("messages").path(1).path("images").path(0).asString())
                .isEqualTo("AAAA");
        assertThat(body.path("messages")
                        .path(2)
                        .path("tool_calls")
                        .path(0)
                        .path("function")
                        .path("arguments")
                        .path("q")
                        .asString())
                .isEqualTo("cat");
    }

    @Test
    void shouldMapOpenAiShapedDifferencesPerProvider() {
        ObjectNode req = request("{\"model\": \"x\", \"seed\": 4, \"max_completion_tokens\": 9, \"stream\": true,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

        JsonNode mistral = sent(new OpenAiAdapter(ProviderType.MISTRAL)
                .chatRequest(target(ProviderType.MISTRAL), req, Optional.of("k"), true));
        JsonNode openai = sent(new OpenAiAdapter(ProviderType.OPENAI)
                .chatRequest(target(ProviderType.OPENAI), req, Optional.of("k"), false));

        assertThat(mistral.path("max_tokens").asInt()).isEqualTo(9);
        assertThat(mistral.path("random_seed").asInt()).isEqualTo(4);
        assertThat(mistral.has("stream_options")).isFalse();
        assertThat(openai.path("model").asString()).isEqualTo("m-1");
        assertThat(openai.has("stream")).isFalse();
        assertThat(openai.path("max_completion_tokens").asInt()).isEqualTo(9);
    }

    @Test
    void shouldCollectOpenAiStreamWithToolCallsAndUsage() {
        String sse = """
                data: {"id":"c1","model":"g","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_9","function":{"name":"f","arguments":"{\\"a\\""}}]}}]}

                data: {"id":"c1","model":"g","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}

                data: {"id":"c1","model":"g","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

                data: {"id":"c1","model":"g","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}

                data: [DONE]

                """;

        ObjectNode out = new OpenAiAdapter(ProviderType.OPENAI)
                .parseChat(target(ProviderType.OPENAI), sse.getBytes(StandardCharsets.UTF_8), true);

        assertThat(out.path("choices")
                        .path(0)
                        .path("message")
                        .path("tool_calls")
                        .path(0)
                        .path("function")
                        .path("arguments")
                        .asString())
                .isEqualTo("{\"a\":1}");
        assertThat(out.path("usage").path("completion_tokens").asLong()).isEqualTo(4);
        String truncated = sse.substring(0, sse.indexOf("data: [DONE]"));
        assertThatThrownBy(() -> new OpenAiAdapter(ProviderType.OPENAI)
                        .parseChat(target(ProviderType.OPENAI), truncated.getBytes(StandardCharsets.UTF_8), true))
                .isInstanceOfSatisfying(
                        ProviderException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRUNCATED_STREAM));
    }

    @Test
    void shouldClassifyErrorStatusesAndReadRetryAfter() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        HttpHeaders seconds = HttpHeaders.of(Map.of("retry-after", List.of("2")), (a, b) -> true);
        HttpHeaders date =
                HttpHeaders.of(Map.of("retry-after", List.of("Thu, 01 Jan 2026 00:00:05 GMT")), (a, b) -> true);
        HttpHeaders none = HttpHeaders.of(Map.of(), (a, b) -> true);
        byte[] body = "{\"error\":{\"message\":\"slow down\"}}".getBytes(StandardCharsets.UTF_8);

        ProviderException limited = Wire.error(429, seconds, body, clock);
        assertThat(limited.kind()).isEqualTo(ProviderException.Kind.RATE_LIMITED);
        assertThat(limited.outcome().retryAfter()).contains(Duration.ofSeconds(2));
        assertThat(limited.providerMessage()).isEqualTo("slow down");
        assertThat(Wire.error(429, date, body, clock).retryAfter()).contains(Duration.ofSeconds(5));
        assertThat(Wire.error(503, none, body, clock).outcome().type()).isEqualTo(Outcome.Type.RETRYABLE_FAILURE);
        assertThat(Wire.error(401, none, body, clock).outcome().type()).isEqualTo(Outcome.Type.FAILURE);
        assertThat(Wire.error(400, none, body, clock).outcome().type()).isEqualTo(Outcome.Type.IGNORED);
    }

    @Test
    void shouldKeepCredentialsOutOfRequestStrings() {
        ProviderRequest request = new OpenAiAdapter(ProviderType.OPENAI)
                .chatRequest(
                        target(ProviderType.OPENAI),
                        request("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"),
                        Optional.of("sk-secret"),
                        false);

        assertThat(request.headers()).containsEntry("authorization", "Bearer sk-secret");
        assertThat(request.toString()).doesNotContain("sk-secret");
    }
}
