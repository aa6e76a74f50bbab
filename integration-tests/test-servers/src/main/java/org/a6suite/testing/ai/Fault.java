package org.a6suite.testing.ai;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * TEST FIXTURE. What a {@link AiProviderServer} does with one request instead of (or before) answering normally.
 */
public sealed interface Fault {

    /** Answer normally. */
    record None() implements Fault {}

    /** Answer normally after {@code delay}. */
    record Slow(Duration delay) implements Fault {
        public Slow {
            requireNonNull(delay, "delay");
        }
    }

    /** Never answer (the connection stays open until the client gives up or the server stops). */
    record Hang() implements Fault {}

    /** 429 with {@code Retry-After} in whole seconds (rounded up), and OpenAI's {@code retry-after-ms}. */
    record RateLimited(Duration retryAfter) implements Fault {
        public RateLimited {
            requireNonNull(retryAfter, "retryAfter");
        }
    }

    /** An error status with the provider's error body. */
    record Status(int status) implements Fault {}

    /** Close the connection with a TCP reset before any response. */
    record Reset() implements Fault {}

    /** 200 with a body that is not JSON. */
    record Malformed() implements Fault {}

    /**
     * A stream that ends cleanly at the HTTP level but before its final events ({@code [DONE]}, {@code message_stop});
     * for a non-streaming request, a body cut short with the connection closed.
     */
    record Truncated() implements Fault {}

    /** A stream whose head (and any opening events) is sent, then nothing: the first token never comes. */
    record StallBeforeFirstToken() implements Fault {}

    /** A stream that sends {@code tokens} content events, then nothing (the connection stays open). */
    record StallAfter(int tokens) implements Fault {}

    /** A stream that sends {@code tokens} content events, then closes the connection with a TCP reset. */
    record ResetAfter(int tokens) implements Fault {}

    /** A stream that sends {@code tokens} content events, then the provider's own error event, then ends. */
    record ErrorAfter(int tokens) implements Fault {}

    /**
     * A normal answer whose stream sends each content event only once {@code gate} lets it through (the head and
     * opening events go at once); for a non-streaming request, a normal answer.
     */
    record Gated(TokenGate gate) implements Fault {
        public Gated {
            requireNonNull(gate, "gate");
        }
    }

    /**
     * A 400 whose error message echoes the request's headers and body, as some providers do; tests check that the
     * gateway never hands such text (which holds the API key) to its client.
     */
    record EchoRequest() implements Fault {}

    static Fault gated(TokenGate gate) {
        return new Gated(gate);
    }

    static Fault echoRequest() {
        return new EchoRequest();
    }

    static Fault none() {
        return new None();
    }

    static Fault slow(Duration delay) {
        return new Slow(delay);
    }

    static Fault hang() {
        return new Hang();
    }

    static Fault rateLimited(Duration retryAfter) {
        return new RateLimited(retryAfter);
    }

    static Fault status(int status) {
        return new Status(status);
    }

    static Fault reset() {
        return new Reset();
    }

    static Fault malformed() {
        return new Malformed();
    }

    static Fault truncated() {
        return new Truncated();
    }

    static Fault stallBeforeFirstToken() {
        return new StallBeforeFirstToken();
    }

    static Fault stallAfter(int tokens) {
        return new StallAfter(tokens);
    }

    static Fault resetAfter(int tokens) {
        return new ResetAfter(tokens);
    }

    static Fault errorAfter(int tokens) {
        return new ErrorAfter(tokens);
    }
}
