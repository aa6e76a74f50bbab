package org.a6suite.http.codec;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Decodes {@code text/event-stream} incrementally into events, following the WHATWG HTML standard's event-stream
 * interpretation (section 9.2.6):
 *
 * <pre>
 *   \uFEFF                                  one byte-order mark at the very start of the stream is skipped
 *   : keep-alive\n                          a comment, ignored
 *   event: content_block_delta\n            "event" sets the type of the event being built (default "message")
 *   data: {"type":"content_block_delta",    "data" lines are joined with \n
 *   data:  ...}\n
 *   id: 7\n                                 "id" sets the last event id (kept for later events; ignored with a NUL)
 *   retry: 3000\n                           "retry" with ASCII digits only sets the reconnection time (ms)
 *   \n                                      a blank line dispatches the event, if it had any data line
 * </pre>
 *
 * Lines end with LF, CRLF or a lone CR (also when a CRLF is split between two reads); a line without a colon is a
 * field with an empty value; one space after the colon is dropped; unknown fields are ignored. An event not followed by
 * its blank line is not delivered (the standard discards it at the end of the stream). Lines and an event's data are
 * bounded: past a bound the decoder {@link #failed() fails} and decodes nothing more, so a peer cannot make it buffer
 * without limit. Not thread-safe: one decoder per stream, fed by one reader at a time.
 */
public final class SseDecoder {

    private final LineDecoder lines;
    private final long maxEventChars;
    private final StringBuilder data = new StringBuilder();
    private String type = "";
    private boolean hasData;
    private boolean firstLine = true;
    private boolean failed;
    private Optional<String> lastEventId = Optional.empty();
    private Optional<Duration> retry = Optional.empty();

    /** A decoder whose events may carry up to four lines of {@code maxLineBytes} of data. */
    public SseDecoder(int maxLineBytes) {
        this(maxLineBytes, 4L * maxLineBytes);
    }

    /**
     * @param maxLineBytes  longest line accepted, in bytes, without its end (at least 1)
     * @param maxEventChars most data characters one event may hold (at least 1)
     */
    public SseDecoder(int maxLineBytes, long maxEventChars) {
        if (maxEventChars < 1) {
            throw new IllegalArgumentException("maxEventChars: " + maxEventChars + " (expected: >= 1)");
        }
        this.lines = new LineDecoder(maxLineBytes);
        this.maxEventChars = maxEventChars;
    }

    /**
     * The events of a whole body, as one read of it decodes them (an event cut off at the end is dropped). No bound
     * applies beyond the body's own size, which the caller has already bounded.
     */
    public static List<SseEvent> decodeAll(byte[] body) {
        SseDecoder decoder = new SseDecoder(Math.max(1, body.length), Math.max(1, body.length));
        List<SseEvent> events = new ArrayList<>();
        decoder.feed(ByteBuffer.wrap(body), events::add);
        return events;
    }

    /** Feeds bytes (consumed to the buffer's limit) and hands every completed event to {@code out}. */
    public void feed(ByteBuffer bytes, Consumer<SseEvent> out) {
        if (failed) {
            return;
        }
        lines.feed(bytes, line -> onLine(line, out));
        if (lines.state() == LineDecoder.State.FAILED) {
            failed = true;
        }
    }

    /** Whether a line or an event exceeded its bound; nothing more is decoded. */
    public boolean failed() {
        return failed;
    }

    /** Whether an event has started but not been dispatched (a stream ending here was cut mid-event). */
    public boolean hasPartialEvent() {
        return hasData || lines.hasPartialLine();
    }

    /** The last event id the stream set, if any (what a reconnecting client would send as {@code Last-Event-ID}). */
    public Optional<String> lastEventId() {
        return lastEventId;
    }

    /** The reconnection time the stream last set with {@code retry}, if any. */
    public Optional<Duration> retry() {
        return retry;
    }

    private void onLine(String raw, Consumer<SseEvent> out) {
        if (failed) {
            return;
        }
        String line = raw;
        if (firstLine) {
            firstLine = false;
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
        }
        if (line.isEmpty()) {
            dispatch(out);
            return;
        }
        if (line.charAt(0) == ':') {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> type = value;
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
                if (data.length() > maxEventChars) {
                    failed = true;
                }
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventId = value.isEmpty() ? Optional.empty() : Optional.of(value);
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    retry = Optional.of(
                            value.length() > 12
                                    ? Duration.ofMillis(Long.MAX_VALUE / 1_000_000)
                                    : Duration.ofMillis(Long.parseLong(value)));
                }
            }
            default -> {
                // Unknown fields are ignored, as the standard requires.
            }
        }
    }

    private void dispatch(Consumer<SseEvent> out) {
        if (hasData) {
            out.accept(new SseEvent(type.isEmpty() ? SseEvent.DEFAULT_TYPE : type, data.toString(), lastEventId));
        }
        type = "";
        data.setLength(0);
        hasData = false;
    }
}
