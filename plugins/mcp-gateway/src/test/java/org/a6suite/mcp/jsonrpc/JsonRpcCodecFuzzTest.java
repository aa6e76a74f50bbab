package org.a6suite.mcp.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import tools.jackson.databind.json.JsonMapper;

/**
 * Coverage-guided fuzzing of the JSON-RPC codec: any body decodes to a message or to a JSON-RPC error, never an
 * exception; whatever decodes re-encodes and decodes to an equal message.
 */
class JsonRpcCodecFuzzTest {

    private static final JsonRpcCodec CODEC =
            new JsonRpcCodec(JsonMapper.builder().build());

    @FuzzTest(maxDuration = "15s")
    void shouldDecodeAnyBodyToAMessageOrAJsonRpcErrorNeverAnException(byte[] body) {
        JsonRpcCodec.Decoded decoded = CODEC.decode(body);
        assertThat(decoded).isNotNull();
        if (decoded instanceof JsonRpcCodec.Decoded.Valid valid) {
            JsonRpcCodec.Decoded again = CODEC.decode(CODEC.encode(valid.message()));
            assertThat(again).isEqualTo(decoded);
        }
    }
}
