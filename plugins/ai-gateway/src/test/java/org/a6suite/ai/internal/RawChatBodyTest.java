package org.a6suite.ai.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Price;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.Adapters;
import org.a6suite.ai.internal.provider.ClientBody;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.plugin.Body;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * The provider body copied from the client's bytes (fields as the client sent them, model and stream fields
 * replaced) must be what the tree path writes: byte for byte where the client's JSON is already compact and
 * unescaped, else the same JSON with the fields in the same order.
 */
class RawChatBodyTest {

    private static Target target(ProviderType type) {
        return new Target(
                "t", type, "http://127.0.0.1:1", "m-\"1\"/é", Optional.empty(), Price.FREE, 1, 0, "2024-10-21");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "openai            | false | true  | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0.2}",
                "openai            | true  | true  | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}",
                "openai            | false | true  | {\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false,\"stream_options\":{\"include_usage\":false},\"n\":1,\"model\":\"x\"}",
                "openai            | true  | true  | {\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":{\"x\":1},\"model\":\"x\"}",
                "openai            | true  | true  | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}",
                "openai            | false | true  | {\"stream\":false,\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "openai            | false | true  | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":null}",
                "openai            | true  | false | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\\u00e9\\n\"}]}],\"seed\":5}",
                "azure_openai      | false | true  | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":9}",
                "openai_compatible | true  | false | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"big\":123456789012345678901234567890,\"f\":1.5e3}",
                "openai_compatible | false | false |  { \"model\" : \"x\" ,<NL><TAB>\"messages\" : [ { \"role\" : \"user\" , \"content\" : \"hi\" } ] , \"stream\" : true , \"x\" : { } }<CR><NL>",
                "openai            | false | false | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"h\\\"i\"}],\"unknown\":{\"a\":[1,2,{\"b\":null}]}}",
                "mistral           | true  | true  | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"seed\":1,\"max_completion_tokens\":9}",
                "deepseek          | false | true  | {\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":9,\"stream\":true}"
            })
    void shouldWriteWhatTheTreePathWrites(String type, boolean stream, boolean sameBytes, String row) {
        // CSV rows are single lines: whitespace a client may send between tokens is written as <NL>, <CR>, <TAB>.
        String json = row.replace("<NL>", "\n").replace("<CR>", "\r").replace("<TAB>", "\t");
        Target target = target(ProviderType.valueOf(type.toUpperCase(Locale.ROOT)));
        RequestScan.Facts facts = RequestScan.scan(Body.of(json), Operation.CHAT);
        assertThat(facts).as("the scan takes this body").isNotNull();
        ClientBody raw = facts.body();
        assertThat(raw.raw()).isTrue();

        byte[] fromBytes = Adapters.of(target.type())
                .chatRequest(target, raw, Optional.empty(), stream)
                .body();
        byte[] fromTree = Adapters.of(target.type())
                .chatRequest(target, ClientBody.ofTree(raw.tree()), Optional.empty(), stream)
                .body();

        JsonNode expected = Json.MAPPER.readTree(fromTree);
        JsonNode actual = Json.MAPPER.readTree(fromBytes);
        assertThat(actual).isEqualTo(expected);
        assertThat(names(actual)).isEqualTo(names(expected));
        if (sameBytes) {
            assertThat(new String(fromBytes, UTF_8)).isEqualTo(new String(fromTree, UTF_8));
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
