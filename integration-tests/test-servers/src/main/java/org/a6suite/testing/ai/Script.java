package org.a6suite.testing.ai;

import java.time.Duration;
import java.util.Optional;

/**
 * TEST FIXTURE. What the provider answers, as scripted by the test when a request arrives: the reply text, an
 * optional tool call ({@code [name, argumentsJson]}), whether usage counts are left out, and the stream's pace.
 */
record Script(String replyText, Optional<String[]> toolCall, boolean omitUsage, Drip drip) {

    /** A slow-drip stream: the first content event after {@code firstToken}, then {@code tokens} events apart. */
    record Drip(Duration firstToken, int tokens, Duration gap) {

        static final Drip NONE = new Drip(Duration.ZERO, 0, Duration.ZERO);
    }
}
