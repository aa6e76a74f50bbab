package org.a6suite.http.codec;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One dispatched server-sent event.
 *
 * @param type        the last {@code event} field's value, or {@code message} when the event had none
 * @param data        the event's {@code data} lines joined with {@code \n}
 * @param lastEventId the stream's last event id when the event was dispatched (ids persist across events), if any
 */
public record SseEvent(String type, String data, Optional<String> lastEventId) {

    /** The type of an event without an {@code event} field. */
    public static final String DEFAULT_TYPE = "message";

    public SseEvent {
        requireNonNull(type, "type");
        requireNonNull(data, "data");
        requireNonNull(lastEventId, "lastEventId");
    }

    /** An event of {@code type} with {@code data} and no id. */
    public static SseEvent of(String type, String data) {
        return new SseEvent(type, data, Optional.empty());
    }
}
