package org.a6suite.ai.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.a6suite.ai.internal.provider.Wire;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    private static final String STREAM = ": comment first\r\n"
            + "event: content_block_delta\r\n"
            + "data: {\"a\":\"h\u00e9llo \u4e16\u754c\"}\r\n"
            + "\r\n"
            + "data:no-space\n"
            + "data:  two spaces\n"
            + "id: 7\n"
            + "retry: 100\n"
            + "\n"
            + "event: empty-is-not-dispatched\n"
            + "\n"
            + "data: cr only\r"
            + "\r"
            + "data: [DONE]\n"
            + "\n"
            + "data: cut off at the end";

    private static final List<Wire.SseEvent> EXPECTED = List.of(
            new Wire.SseEvent("content_block_delta", "{\"a\":\"h\u00e9llo \u4e16\u754c\"}"),
            new Wire.SseEvent("", "no-space\n two spaces"),
            new Wire.SseEvent("", "cr only"),
            new Wire.SseEvent("", "[DONE]"));

    private static List<Wire.SseEvent> decode(SseDecoder decoder, byte[]... parts) {
        List<Wire.SseEvent> events = new ArrayList<>();
        for (byte[] part : parts) {
            decoder.feed(ByteBuffer.wrap(part), events::add);
        }
        return events;
    }

    @Test
    void shouldDecodeTheSameEventsWhateverByteTheStreamIsSplitAt() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            for (int second = split; second <= bytes.length; second += 7) {
                SseDecoder decoder = new SseDecoder(1024);
                List<Wire.SseEvent> events = decode(decoder, java.util.Arrays.copyOfRange(bytes, 0, split),
                        java.util.Arrays.copyOfRange(bytes, split, second),
                        java.util.Arrays.copyOfRange(bytes, second, bytes.length));
                assertThat(events).as("split at %d and %d", split, second).isEqualTo(EXPECTED);
                assertThat(decoder.hasPartialEvent()).isTrue();
            }
        }
    }

    @Test
    void shouldDecodeByteByByte() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        SseDecoder decoder = new SseDecoder(1024);
        List<Wire.SseEvent> events = new ArrayList<>();
        for (byte b : bytes) {
            decoder.feed(ByteBuffer.wrap(new byte[] {b}), events::add);
        }
        assertThat(events).isEqualTo(EXPECTED);
    }

    @Test
    void shouldFailOnALineLongerThanTheBoundInsteadOfBufferingIt() {
        SseDecoder decoder = new SseDecoder(64);
        List<Wire.SseEvent> events = new ArrayList<>();
        decoder.feed(ByteBuffer.wrap(("data: " + "x".repeat(100)).getBytes(StandardCharsets.UTF_8)), events::add);
        assertThat(decoder.failed()).isTrue();
        decoder.feed(ByteBuffer.wrap("\n\ndata: later\n\n".getBytes(StandardCharsets.UTF_8)), events::add);
        assertThat(events).isEmpty();
    }

    @Test
    void shouldSplitNdjsonLinesAcrossReads() {
        LineDecoder decoder = new LineDecoder(1024);
        List<String> lines = new ArrayList<>();
        decoder.feed(ByteBuffer.wrap("{\"a\":1}\n{\"b\"".getBytes(StandardCharsets.UTF_8)), lines::add);
        decoder.feed(ByteBuffer.wrap(":2}\r\n{\"c\":3}".getBytes(StandardCharsets.UTF_8)), lines::add);
        assertThat(lines).containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThat(decoder.hasPartialLine()).isTrue();
    }
}
