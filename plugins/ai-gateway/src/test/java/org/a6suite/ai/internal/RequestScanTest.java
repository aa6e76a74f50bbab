package org.a6suite.ai.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming scan of a client body must decide as the tree path decides: the same OpenAI error (status, message,
 * type, param, code) for every bad body, the same facts for every good one, or hand the body to the tree path.
 */
class RequestScanTest {

    private static final AiGatewayConfig CONFIG = config();

    private static AiGatewayConfig config() {
        try {
            return ConfigParser.parse("""
                    {"targets": [{"id": "a", "type": "openai", "endpoint": "http://127.0.0.1:1", "model": "m",
                     "credentials": {"env": "A6_TEST_NONE"}}]}""");
        } catch (org.a6suite.plugin.PluginConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // good bodies
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                " {\n \"messages\" : [ {\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]} ] ,"
                        + " \"model\" : \"m\" , \"stream\" : true, \"max_tokens\": 9 }\n",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":1}]}]}",
                "{\"model\":null,\"messages\":[{\"role\":\"tool\",\"content\":\"r\"}],\"stream\":null}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_completion_tokens\":null,"
                        + "\"max_tokens\":5}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":2.5}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_completion_tokens\":7,"
                        + "\"max_tokens\":5,\"unknown\":{\"deep\":[1,{\"x\":null}]}}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"x\",\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"model\":\"\\u00e9\",\"messages\":[{\"role\":\"user\",\"content\":\"\\u00e9 caf\u00e9\"}]}",
                // bad bodies: JSON, then messages, then stream, then model
                "",
                "   ",
                "[1,2]",
                "\"text\"",
                "{\"model\":\"m\",",
                "{\"model\":\"m\"} trailing",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]} {}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}}",
                "{\"model\":\"m\"}",
                "{\"model\":\"m\",\"messages\":[]}",
                "{\"model\":\"m\",\"messages\":{\"role\":\"user\"}}",
                "{\"model\":\"m\",\"messages\":null}",
                "{\"model\":\"m\",\"messages\":[\"hi\"]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"boss\",\"content\":\"b\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":1,\"content\":\"a\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"content\":\"a\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":null,\"tool_calls\":[]}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":{\"text\":\"a\"}}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":1},"
                        + "{\"role\":\"nobody\"}]}",
                "{\"model\":5,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"stream\":\"yes\"}",
                "{\"model\":[\"m\"],\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"stream\":1,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"x\":[[[[[[]]]]]], \"y\": tru}",
                // a limit beyond 32 bits: 400 naming the limit that counts (max_completion_tokens when given)
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":-99999999999}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":99999999999,"
                        + "\"max_completion_tokens\":5}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":5,"
                        + "\"max_completion_tokens\":123456789012345678901234567890}",
                // handed to the tree path: a top-level name twice
                "{\"model\":\"m\",\"messages\":[],\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"model\":5,\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":99999999999}",
            })
    void shouldDecideChatBodiesAsTheTreePathDoes(String json) {
        assertSameDecision("/v1/chat/completions", Operation.CHAT, json.getBytes(UTF_8));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"model\":\"m\",\"input\":\"text\"}",
                "{\"model\":\"m\",\"input\":[\"a\",\"b\"],\"messages\":5}",
                "{\"model\":\"m\",\"input\":[]}",
                "{\"model\":\"m\",\"input\":[\"a\",1]}",
                "{\"model\":\"m\",\"input\":[[\"a\"]]}",
                "{\"model\":\"m\",\"input\":null}",
                "{\"model\":\"m\"}",
                "{\"model\":\"m\",\"input\":\"a\",\"stream\":true}",
            })
    void shouldDecideEmbeddingsBodiesAsTheTreePathDoes(String json) {
        assertSameDecision("/v1/embeddings", Operation.EMBEDDINGS, json.getBytes(UTF_8));
    }

    @Test
    void shouldRefuseInvalidUtf8InAStringItDoesNotReadAsTheTreePathDoes() {
        byte[] json =
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"x\":\"..\"}".getBytes(UTF_8);
        json[json.length - 4] = (byte) 0xc3; // a two-byte sequence's lead byte...
        json[json.length - 3] = (byte) 0x28; // ...followed by '(' instead of a continuation byte

        ApiError error = decision("/v1/chat/completions", Operation.CHAT, json, true);

        assertThat(error).isNotNull();
        assertThat(error.code()).isEqualTo("invalid_json");
        assertSameDecision("/v1/chat/completions", Operation.CHAT, json);
    }

    @Test
    void shouldNameTheFirstBadMessageAndItsFieldWithStatus400() {
        ApiError error = decision(
                "/v1/chat/completions",
                Operation.CHAT,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":7}]}"
                        .getBytes(UTF_8),
                true);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.type()).isEqualTo("invalid_request_error");
        assertThat(error.param()).contains("messages[1].content");
        assertThat(error.code()).isEqualTo("invalid_type");
        assertThat(error.message()).isEqualTo("messages[1].content must be a string or an array of parts");
    }

    @Test
    void shouldRefuseATokenLimitBeyond32BitsWith400NamingIt() {
        ApiError error = decision(
                "/v1/chat/completions",
                Operation.CHAT,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":99999999999}"
                        .getBytes(UTF_8),
                true);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.type()).isEqualTo("invalid_request_error");
        assertThat(error.param()).contains("max_tokens");
        assertThat(error.code()).isEqualTo("invalid_value");
        assertThat(error.message()).isEqualTo("'max_tokens' must be an integer of at most 2147483647");
    }

    @Test
    void shouldKeepTheBytesOnlyForBodiesItDecides() {
        Body plain = Body.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"n\":2}");
        Body twice = Body.of("{\"model\":\"m\",\"n\":1,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"n\":2}");
        Body utf16 = Body.wrap("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_16LE));

        assertThat(RequestScan.scan(plain, Operation.CHAT).body().raw()).isTrue();
        assertThat(RequestScan.scan(twice, Operation.CHAT)).isNull();
        assertThat(RequestScan.scan(utf16, Operation.CHAT)).isNull();
    }

    /** The tree path's facts or error, and the scan's (or the tree path's again when the scan hands over). */
    private static void assertSameDecision(String path, Operation operation, byte[] json) {
        ApiError tree = decision(path, operation, json, false);
        ApiError scanned = decision(path, operation, json, true);
        assertThat(scanned).as("error").isEqualTo(tree);
        if (tree == null) {
            Body body = Body.wrap(json);
            RequestScan.Facts expected = CallParser.treePath(view(path, body), body, CONFIG);
            RequestScan.Facts actual = RequestScan.scan(body, operation);
            if (actual != null) {
                assertThat(actual.stream()).as("stream").isEqualTo(expected.stream());
                assertThat(actual.model()).as("model").isEqualTo(expected.model());
                assertThat(actual.maxTokens()).as("max tokens").isEqualTo(expected.maxTokens());
                assertThat(actual.body().tree())
                        .as("tree")
                        .isEqualTo(expected.body().tree());
            }
        }
    }

    private static ApiError decision(String path, Operation operation, byte[] json, boolean scan) {
        Body body = Body.wrap(json);
        ApiError.Failure failure = catchThrowableOfType(ApiError.Failure.class, () -> {
            if (!scan || RequestScan.scan(body, operation) == null) {
                CallParser.treePath(view(path, body), body, CONFIG);
            }
        });
        return failure == null ? null : failure.error();
    }

    private static RequestView view(String path, Body body) {
        return RequestView.builder(HttpMethod.POST, path).body(body).build();
    }
}
