package org.a6suite.ai.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Each translator against streams in the provider's recorded wire format, fed one byte at a time. */
class StreamTranslatorTest {

    private static List<ObjectNode> feed(StreamTranslator translator, String stream) {
        List<ObjectNode> out = new ArrayList<>();
        for (byte b : stream.getBytes(StandardCharsets.UTF_8)) {
            out.addAll(translator.feed(ByteBuffer.wrap(new byte[] {b})));
            if (translator.failure().isPresent()) {
                throw translator.failure().get();
            }
        }
        return out;
    }

    @Test
    void shouldKeepTheChunksBeforeAnErrorInTheSameRead() {
        var t = new OpenAiStreamTranslator("gpt");
        List<ObjectNode> chunks = t.feed(ByteBuffer.wrap(("data: {\"id\":\"c\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"error\":{\"message\":\"boom\"}}\n\n")
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(text(chunks)).isEqualTo("Hi");
        assertThat(t.failure())
                .hasValueSatisfying(e -> assertThat(e.providerMessage()).isEqualTo("boom"));
    }

    private static String text(List<ObjectNode> chunks) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : chunks) {
            sb.append(c.path("choices").path(0).path("delta").path("content").asString(""));
        }
        return sb.toString();
    }

    private static String finish(List<ObjectNode> chunks) {
        for (JsonNode c : chunks) {
            if (c.path("choices").path(0).path("finish_reason").isString()) {
                return c.path("choices").path(0).path("finish_reason").asString();
            }
        }
        return null;
    }

    private static String arguments(List<ObjectNode> chunks) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : chunks) {
            for (JsonNode call : c.path("choices").path(0).path("delta").path("tool_calls")) {
                sb.append(call.path("function").path("arguments").asString(""));
            }
        }
        return sb.toString();
    }

    @Test
    void shouldRelayOpenAiChunksAndKeepTheUsageChunkBack() {
        var t = new OpenAiStreamTranslator("gpt");
        List<ObjectNode> chunks = feed(t, """
                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\""}}]},"finish_reason":null}]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

                data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}

                data: [DONE]

                """);
        assertThat(chunks).hasSize(4);
        assertThat(text(chunks)).isEqualTo("Hi");
        assertThat(arguments(chunks)).isEqualTo("{\"a\"");
        assertThat(finish(chunks)).isEqualTo("tool_calls");
        assertThat(StreamTranslator.isContent(chunks.get(0))).isFalse();
        assertThat(StreamTranslator.isContent(chunks.get(1))).isTrue();
        assertThat(t.done()).isTrue();
        assertThat(t.usage()).contains(new Usage(5, 3, false));
        assertThat(t.model()).isEqualTo("gpt-4o");
    }

    @Test
    void shouldReportAnOpenAiErrorEventAsAProviderFailure() {
        var t = new OpenAiStreamTranslator("gpt");
        assertThatThrownBy(
                        () -> feed(t, "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.SERVER_ERROR);
                    assertThat(e.providerMessage()).isEqualTo("overloaded");
                });
    }

    @Test
    void shouldCallAStreamWithoutItsFinalEventTruncated() {
        var t = new OpenAiStreamTranslator("gpt");
        feed(t, "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n");
        assertThatThrownBy(t::finish)
                .isInstanceOfSatisfying(
                        ProviderException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.TRUNCATED_STREAM));
    }

    @Test
    void shouldTranslateAnthropicTextToolUseUsageAndStopReason() {
        var t = new AnthropicStreamTranslator("claude");
        List<ObjectNode> chunks = feed(t, """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: ping
                data: {"type": "ping"}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": "}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"Paris\\"}"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":1}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

                event: message_stop
                data: {"type":"message_stop"}

                """);
        assertThat(chunks.get(0)
                        .path("choices")
                        .path(0)
                        .path("delta")
                        .path("role")
                        .asString())
                .isEqualTo("assistant");
        assertThat(text(chunks)).isEqualTo("Let me check");
        assertThat(arguments(chunks)).isEqualTo("{\"city\": \"Paris\"}");
        JsonNode head = chunks.stream()
                .filter(c -> c.path("choices").path(0).path("delta").has("tool_calls"))
                .findFirst()
                .orElseThrow()
                .path("choices")
                .path(0)
                .path("delta")
                .path("tool_calls")
                .path(0);
        assertThat(head.path("id").asString()).isEqualTo("toolu_1");
        assertThat(head.path("index").asInt()).isEqualTo(0);
        assertThat(head.path("function").path("name").asString()).isEqualTo("get_weather");
        assertThat(finish(chunks)).isEqualTo("tool_calls");
        assertThat(t.done()).isTrue();
        assertThat(t.usage()).contains(new Usage(25, 89, false));
        assertThat(t.id()).isEqualTo("msg_1");
    }

    @Test
    void shouldReportAnAnthropicErrorEvent() {
        var t = new AnthropicStreamTranslator("claude");
        assertThatThrownBy(() -> feed(
                        t,
                        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                                + "\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"))
                .isInstanceOfSatisfying(
                        ProviderException.class,
                        e -> assertThat(e.providerMessage()).isEqualTo("Overloaded"));
    }

    @Test
    void shouldTranslateGeminiCandidatesUsageAndFinishReason() {
        var t = new GeminiStreamTranslator("gemini-2.5-flash");
        List<ObjectNode> chunks = feed(t, """
                data: {"candidates": [{"content": {"parts": [{"text": "The"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "gemini-2.5-flash","responseId": "r1"}\r
                \r
                data: {"candidates": [{"content": {"parts": [{"thought": true, "text": "hmm"}, {"text": " answer"}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash","responseId": "r1"}\r
                \r
                data: {"candidates": [{"content": {"parts": [{"text": "."}],"role": "model"},"finishReason": "MAX_TOKENS","index": 0}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 3,"thoughtsTokenCount": 2,"totalTokenCount": 14},"modelVersion": "gemini-2.5-flash","responseId": "r1"}\r
                \r
                """);
        assertThat(text(chunks)).isEqualTo("The answer.");
        assertThat(finish(chunks)).isEqualTo("length");
        assertThat(t.done()).isTrue();
        assertThat(t.usage()).contains(new Usage(9, 5, false));
    }

    @Test
    void shouldTranslateGeminiFunctionCallsWhole() {
        var t = new GeminiStreamTranslator("gemini");
        List<ObjectNode> chunks = feed(
                t,
                "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":"
                        + "{\"name\":\"f\",\"args\":{\"x\":1}}}],\"role\":\"model\"},\"finishReason\":\"STOP\"}]}\n\n");
        assertThat(arguments(chunks)).isEqualTo("{\"x\":1}");
        assertThat(finish(chunks)).isEqualTo("tool_calls");
    }

    @Test
    void shouldTranslateOllamaNdjsonWithDoneAndCounts() {
        var t = new OllamaStreamTranslator("llama3.2");
        List<ObjectNode> chunks = feed(t, """
                {"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The"},"done":false}
                {"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":" sky"},"done":false}
                {"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"length","total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}
                """);
        assertThat(text(chunks)).isEqualTo("The sky");
        assertThat(finish(chunks)).isEqualTo("length");
        assertThat(t.done()).isTrue();
        assertThat(t.usage()).contains(new Usage(26, 282, false));
    }

    @Test
    void shouldReportAnOllamaErrorLine() {
        var t = new OllamaStreamTranslator("llama3.2");
        assertThatThrownBy(() -> feed(t, "{\"error\":\"model crashed\"}\n"))
                .isInstanceOfSatisfying(
                        ProviderException.class,
                        e -> assertThat(e.providerMessage()).isEqualTo("model crashed"));
    }
}
