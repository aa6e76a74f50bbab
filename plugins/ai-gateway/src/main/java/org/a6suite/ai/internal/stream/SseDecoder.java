package org.a6suite.ai.internal.stream;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.a6suite.ai.internal.provider.Wire;

/**
 * Decodes {@code text/event-stream} incrementally into events, as the HTML living standard's parser does:
 *
 * <pre>
 *   event: content_block_delta\n        field "event" names the event (default "")
 *   data: {"type":"content_block_delta",   field "data", one or more lines, joined with \n
 *   data:  ...}\n
 *   : keep-alive\n                         a comment, ignored
 *   \n                                     a blank line dispatches the event (if it had data)
 * </pre>
 *
 * Lines end with LF, CRLF or CR; one space after the colon is dropped; {@code id} and {@code retry} are ignored (a
 * provider stream is never resumed). An event not followed by its blank line is not delivered. Lines and an event's
 * data are bounded; past the bound the decoder {@link #failed() fails}.
 */
public final class SseDecoder {

    private final LineDecoder lines;
    private final int maxEventBytes;
    private final StringBuilder data = new StringBuilder();
    private String event = "";
    private boolean hasData;
    private boolean failed;

    /** @param maxLineBytes longest line accepted; an event's data may be up to four lines of that size */
    public SseDecoder(int maxLineBytes) {
        this.lines = new LineDecoder(maxLineBytes);
        this.maxEventBytes = maxLineBytes * 4;
    }

    /** Feeds bytes and hands every completed event to {@code out}. */
    public void feed(ByteBuffer bytes, Consumer<Wire.SseEvent> out) {
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

    private void onLine(String line, Consumer<Wire.SseEvent> out) {
        if (failed) {
            return;
        }
        if (line.isEmpty()) {
            if (hasData) {
                out.accept(new Wire.SseEvent(event, data.toString()));
            }
            event = "";
            data.setLength(0);
            hasData = false;
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
            case "event" -> event = value;
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
                if (data.length() > maxEventBytes) {
                    failed = true;
                }
            }
            default -> { }
        }
    }
}
