package org.a6suite.ai.internal.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Price;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The one-pass answer must write exactly what the tree path writes, and leave every other body to the tree path. */
class OpenAiAnswerTest {

    private static final Target TARGET = new Target(
            "t", ProviderType.OPENAI, "http://127.0.0.1:1/v1", "m-1", Optional.empty(), Price.FREE, 1, 0, "");
    private static final OpenAiAdapter ADAPTER = new OpenAiAdapter(ProviderType.OPENAI);

    private static final String FULL = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06",
             "choices":[{"index":0,"message":{"role":"assistant","content":"H\\u00e9llo \\"there\\"\\n\\ud83d\\ude00",
               "refusal":null,"tool_calls":[{"id":"c1","type":"function",
               "function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
               "logprobs":{"content":[{"token":"H","logprob":-0.0012,"bytes":[72]}]},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,
               "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},
             "service_tier":"default","system_fingerprint":"fp_1","big":123456789012345678901234567890,"f":1.5e3}""";

    /** What the gateway answered before the one-pass path: parse, usage rewritten, serialised. */
    private static String treePath(String body) {
        ObjectNode tree = ADAPTER.parseChat(TARGET, body.getBytes(UTF_8), false);
        JsonNode u = tree.path("usage");
        Wire.putUsage(
                tree,
                new Usage(
                        u.path("prompt_tokens").asLong(0),
                        u.path("completion_tokens").asLong(0),
                        false));
        return Json.MAPPER.writeValueAsString(tree);
    }

    private static EncodedChat encode(String body) {
        return ADAPTER.encodeChat(TARGET, body.getBytes(UTF_8));
    }

    @Test
    void shouldWriteWhatTheTreePathWritesForAFullAnswer() {
        EncodedChat answer = encode(FULL);

        assertThat(new String(answer.json(), UTF_8)).isEqualTo(treePath(FULL));
        assertThat(answer.reportedModel()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(answer.usage()).isEqualTo(new Usage(19, 10, false));
        assertThat(Json.MAPPER.readTree(answer.json()).path("usage").toString())
                .isEqualTo("{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29}");
    }

    @Test
    void shouldAppendTheTargetsModelWhenTheProviderNamedNone() {
        String body = """
                {"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}],
                 "usage":{"prompt_tokens":3}}""";

        EncodedChat answer = encode(body);

        assertThat(new String(answer.json(), UTF_8)).isEqualTo(treePath(body)).endsWith(",\"model\":\"m-1\"}");
        assertThat(answer.reportedModel()).isEqualTo("m-1");
        assertThat(answer.usage()).isEqualTo(new Usage(3, 0, false));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"choices\":[],\"model\":\"m\"}",
                "{\"choices\":[],\"usage\":{\"completion_tokens\":2}}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":\"3\"}}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":1.5}}",
                "{\"choices\":[],\"usage\":null}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":1},\"model\":7}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":1},\"id\":\"a\",\"id\":\"b\"}",
                "{\"choices\":{},\"usage\":{\"prompt_tokens\":1}}",
                "{\"usage\":{\"prompt_tokens\":1}}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}} {}",
                "[{\"choices\":[]}]",
                "{\"choices\":[",
                "not json"
            })
    void shouldLeaveEveryOtherBodyToTheTreePath(String body) {
        assertThat(encode(body)).isNull();
    }

    @Test
    void shouldLeaveMalformedAnswersToFailOnTheTreePath() {
        assertThatThrownBy(() -> ADAPTER.parseChat(TARGET, "{\"choices\":{}}".getBytes(UTF_8), false))
                .isInstanceOf(ProviderException.class)
                .extracting(e -> ((ProviderException) e).kind())
                .isEqualTo(ProviderException.Kind.MALFORMED);
        assertThat(encode("{\"choices\":{},\"usage\":{\"prompt_tokens\":1}}")).isNull();
    }

    @Test
    void shouldHaveNoOnePassPathForAdaptersThatTranslate() {
        assertThat(new AnthropicAdapter().encodeChat(TARGET, FULL.getBytes(UTF_8)))
                .isNull();
    }
}
