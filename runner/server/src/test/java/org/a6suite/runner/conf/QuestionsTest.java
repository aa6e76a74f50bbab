package org.a6suite.runner.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.a6suite.plugin.Requirements;
import org.a6suite.protocol.codec.A6MessageCodec;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.codec.Side;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.junit.jupiter.api.Test;

/** The ExtraInfo frames encoded once at PrepareConf are exactly the questions, in order, as separate frames. */
class QuestionsTest {

    private static List<ExtraInfoRequest.Info> decodeAll(byte[] frames) {
        List<ExtraInfoRequest.Info> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(frames);
        while (in.hasRemaining()) {
            int type = in.get() & 0xFF;
            int len = ((in.get() & 0xFF) << 16) | ((in.get() & 0xFF) << 8) | (in.get() & 0xFF);
            ByteBuffer payload = in.slice(in.position(), len);
            in.position(in.position() + len);
            assertThat(type).isEqualTo(3);
            DecodeResult r = A6MessageCodec.decode(type, payload, Side.APISIX);
            out.add(((ExtraInfoRequest) ((DecodeResult.Decoded) r).message()).info());
        }
        return out;
    }

    @Test
    void shouldEncodeEveryVarThenTheRequestBodyAsSeparateFrames() {
        Questions q = Questions.of(Requirements.vars("remote_addr", "route_id").withRequestBody(), false);
        assertThat(decodeAll(q.frames())).isEqualTo(q.asked());
        assertThat(q.asked()).hasSize(3).endsWith(ExtraInfoRequest.ReqBody.INSTANCE);
    }

    @Test
    void shouldAskForTheResponseBodyOnlyInTheResponsePhase() {
        Requirements needs = Requirements.NONE.withResponseBody();
        assertThat(Questions.of(needs, false).isEmpty()).isTrue();
        assertThat(decodeAll(Questions.of(needs, true).frames())).containsExactly(ExtraInfoRequest.RespBody.INSTANCE);
    }

    @Test
    void shouldAskNothingForAChainWithoutNeeds() {
        assertThat(Questions.of(Requirements.NONE, true)).isSameAs(Questions.NONE);
    }
}
