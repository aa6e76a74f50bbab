package org.a6suite.http.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    private static final String STREAM = "\uFEFF: comment first\r\n"
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
            + "data\n"
            + "unknown: ignored\n"
            + "\n"
            + "id\n"
            + "data: [DONE]\n"
            + "\n"
            + "data: cut off at the end";

    private static final List<SseEvent> EXPECTED = List.of(
            SseEvent.of("content_block_delta", "{\"a\":\"h\u00e9llo \u4e16\u754c\"}"),
            new SseEvent("message", "no-space\n two spaces", Optional.of("7")),
            new SseEvent("message", "cr only", Optional.of("7")),
            new SseEvent("message", "", Optional.of("7")),
            SseEvent.of("message", "[DONE]"));

    private static List<SseEvent> decode(SseDecoder decoder, byte[]... parts) {
        List<SseEvent> events = new ArrayList<>();
        for (byte[] part : parts) {
            decoder.feed(ByteBuffer.wrap(part), events::add);
        }
        return events;
    }

    @Test
    void shouldFollowTheWhatwgFieldRulesInOneRead() {
        SseDecoder decoder = new SseDecoder(1024);

        assertThat(decode(decoder, STREAM.getBytes(StandardCharsets.UTF_8))).isEqualTo(EXPECTED);
        assertThat(decoder.retry()).contains(Duration.ofMillis(100));
        assertThat(decoder.lastEventId()).isEmpty();
        assertThat(decoder.hasPartialEvent()).isTrue();
    }

    @Test
    void shouldDecodeTheSameEventsWhateverTheReadBoundaries() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            List<SseEvent> events = decode(
                    new SseDecoder(1024),
                    Arrays.copyOfRange(bytes, 0, split),
                    Arrays.copyOfRange(bytes, split, bytes.length));
            assertThat(events).as("split at %d", split).isEqualTo(EXPECTED);
        }
        SseDecoder byteByByte = new SseDecoder(1024);
        List<SseEvent> events = new ArrayList<>();
        for (byte b : bytes) {
            byteByByte.feed(ByteBuffer.wrap(new byte[] {b}), events::add);
        }
        assertThat(events).isEqualTo(EXPECTED);
    }

    @Test
    void shouldDecodeAWholeBodyAsTheStreamingDecoderDoes() {
        assertThat(SseDecoder.decodeAll(STREAM.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(EXPECTED);
        assertThat(SseDecoder.decodeAll(new byte[0])).isEmpty();
    }

    @Test
    void shouldIgnoreRetryWithNonDigitsAndIdsWithNul() {
        SseDecoder decoder = new SseDecoder(1024);

        List<SseEvent> events = decode(decoder, "retry: 1s\nid: a\0b\ndata: x\n\n".getBytes(StandardCharsets.UTF_8));

        assertThat(events).containsExactly(SseEvent.of("message", "x"));
        assertThat(decoder.retry()).isEmpty();
    }

    @Test
    void shouldSkipOnlyALeadingByteOrderMark() {
        List<SseEvent> events =
                SseDecoder.decodeAll("data: a\uFEFF\n\n\uFEFFdata: b\n\n".getBytes(StandardCharsets.UTF_8));

        // A BOM anywhere but the start is content; "\uFEFFdata" is then an unknown field.
        assertThat(events).containsExactly(SseEvent.of("message", "a\uFEFF"));
    }

    @Test
    void shouldFailOnALineLongerThanTheBoundInsteadOfBufferingIt() {
        SseDecoder decoder = new SseDecoder(64);
        List<SseEvent> events = new ArrayList<>();
        decoder.feed(ByteBuffer.wrap(("data: " + "x".repeat(100)).getBytes(StandardCharsets.UTF_8)), events::add);
        assertThat(decoder.failed()).isTrue();
        decoder.feed(ByteBuffer.wrap("\n\ndata: later\n\n".getBytes(StandardCharsets.UTF_8)), events::add);
        assertThat(events).isEmpty();
    }

    @Test
    void shouldFailOnAnEventLargerThanItsBound() {
        SseDecoder decoder = new SseDecoder(64, 100);

        List<SseEvent> events = decode(
                decoder,
                ("data: " + "x".repeat(50) + "\n").repeat(3).concat("\n").getBytes(StandardCharsets.UTF_8));

        assertThat(decoder.failed()).isTrue();
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
