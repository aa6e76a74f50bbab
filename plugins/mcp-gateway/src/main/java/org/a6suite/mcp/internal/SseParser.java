package org.a6suite.mcp.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Decodes {@code text/event-stream} incrementally, as the HTML living standard's parser does, for the SSE answers
 * and GET streams of upstream MCP servers:
 *
 * <pre>
 *   id: 7\n                     the event's id (kept for logs; the gateway does not resume upstream streams)
 *   data: {"jsonrpc":"2.0",...  one or more data lines, joined with \n
 *   : keep-alive\n              a comment, ignored
 *   \n                          a blank line dispatches the event when it had data (an empty priming event has none)
 * </pre>
 *
 * Lines end with LF, CRLF or CR. A line longer than {@code maxLineBytes} makes the parser {@link #failed() fail}:
 * nothing more is decoded. Hand-written (about 80 lines) because the project's only other SSE decoder lives inside
 * ai-gateway and no well-kept library decodes SSE without bringing its own HTTP client.
 */
final class SseParser {

    /** One dispatched event. */
    record Event(Optional<String> id, String event, String data) {}

    private final int maxLineBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private String event = "";
    private Optional<String> id = Optional.empty();
    private boolean hasData;
    private boolean lastWasCr;
    private boolean failed;

    SseParser(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    boolean failed() {
        return failed;
    }

    /** Feeds bytes; every completed event goes to {@code out}. */
    void feed(ByteBuffer bytes, Consumer<Event> out) {
        ByteBuffer in = bytes.duplicate();
        while (in.hasRemaining() && !failed) {
            byte b = in.get();
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                onLine(line.toString(StandardCharsets.UTF_8), out);
                line.reset();
            } else if (line.size() >= maxLineBytes) {
                failed = true;
            } else {
                line.write(b);
            }
        }
    }

    private void onLine(String text, Consumer<Event> out) {
        if (text.isEmpty()) {
            if (hasData) {
                out.accept(new Event(id, event, data.toString()));
            }
            data.setLength(0);
            event = "";
            hasData = false;
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> {
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
                if (data.length() > maxLineBytes * 4L) {
                    failed = true;
                }
            }
            case "event" -> event = value;
            case "id" -> id = value.isEmpty() ? Optional.empty() : Optional.of(value);
            default -> {}
        }
    }
}
