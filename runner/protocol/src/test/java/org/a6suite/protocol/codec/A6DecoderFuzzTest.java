package org.a6suite.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of the message codec: any payload of any frame type, from either side, decodes to a message
 * or a {@link DecodeResult.Malformed}, never an exception.
 */
class A6DecoderFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void shouldDecodeAnyPayloadToAMessageOrMalformedNeverAnException(FuzzedDataProvider data) {
        int type = data.consumeInt(0, 5);
        Side side = data.consumeBoolean() ? Side.RUNNER : Side.APISIX;
        byte[] payload = data.consumeRemainingAsBytes();
        DecodeResult result = A6MessageCodec.decode(type, ByteBuffer.wrap(payload), side);
        assertThat(result).isNotNull();
    }
}
