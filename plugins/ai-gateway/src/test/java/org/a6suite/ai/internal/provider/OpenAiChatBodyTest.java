package org.a6suite.ai.internal.provider;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Price;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

/** The provider body written straight from the client's tree must be byte for byte what mapBody's copy gives. */
class OpenAiChatBodyTest {

    private static Target target(ProviderType type) {
        return new Target("t", type, "http://127.0.0.1:1", "m-1", Optional.empty(), Price.FREE, 1, 0, "2024-10-21");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "openai            | false | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.2}",
                "openai            | true  | {\"model\":\"x\",\"messages\":[],\"temperature\":0.2}",
                "openai            | false | {\"messages\":[],\"stream\":false,\"stream_options\":{\"include_usage\":false},\"n\":1}",
                "openai            | true  | {\"stream\":true,\"messages\":[],\"stream_options\":{\"x\":1},\"model\":\"x\"}",
                "openai            | true  | {\"messages\":[{\"content\":[{\"type\":\"text\",\"text\":\"\\u00e9\"}]}],\"seed\":5}",
                "azure_openai      | false | {\"model\":\"x\",\"messages\":[],\"max_completion_tokens\":9}",
                "openai_compatible | true  | {\"messages\":[],\"big\":123456789012345678901234567890,\"f\":1.5e3}",
                "mistral           | true  | {\"model\":\"x\",\"messages\":[],\"seed\":1,\"max_completion_tokens\":9}",
                "deepseek          | false | {\"model\":\"x\",\"messages\":[],\"max_completion_tokens\":9,\"stream\":true}"
            })
    void shouldWriteWhatMapBodyWrites(String type, boolean stream, String json) {
        Target target = target(ProviderType.valueOf(type.toUpperCase(java.util.Locale.ROOT)));
        ObjectNode request = (ObjectNode) Json.MAPPER.readTree(json);
        String before = request.toString();

        byte[] written = OpenAiChatBody.chatBody(target, request, stream);

        assertThat(new String(written, UTF_8))
                .isEqualTo(new String(Wire.bytes(OpenAiChatBody.mapBody(target, request, stream)), UTF_8));
        assertThat(request.toString()).as("the client's tree is not modified").isEqualTo(before);
    }
}
