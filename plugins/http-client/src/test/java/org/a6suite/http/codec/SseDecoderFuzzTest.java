package org.a6suite.http.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the SSE decoder provider streams and bodies go through: any bytes, split anywhere, decode
 * without an exception, to the same events as one read of the same bytes, and never past the line cap.
 */
class SseDecoderFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void shouldDecodeAnyBytesSplitAnywhereToTheSameEventsAsOneRead(FuzzedDataProvider data) {
        int split = data.consumeInt(0, 4096);
        byte[] bytes = data.consumeRemainingAsBytes();
        List<SseEvent> whole = new ArrayList<>();
        SseDecoder one = new SseDecoder(1024);
        one.feed(ByteBuffer.wrap(bytes), whole::add);

        List<SseEvent> parts = new ArrayList<>();
        SseDecoder two = new SseDecoder(1024);
        int at = Math.min(split, bytes.length);
        two.feed(ByteBuffer.wrap(bytes, 0, at), parts::add);
        two.feed(ByteBuffer.wrap(bytes, at, bytes.length - at), parts::add);

        assertThat(two.failed()).isEqualTo(one.failed());
        if (!one.failed()) {
            assertThat(parts).isEqualTo(whole);
            assertThat(two.lastEventId()).isEqualTo(one.lastEventId());
            assertThat(SseDecoder.decodeAll(bytes)).isEqualTo(whole);
        }
    }
}
