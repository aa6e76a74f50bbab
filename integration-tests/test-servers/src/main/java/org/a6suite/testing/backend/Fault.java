package org.a6suite.testing.backend;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A misbehaviour an {@link EchoBackend} applies to the requests it receives while the fault is set. TEST FIXTURE only.
 */
public sealed interface Fault {

    /** Answer normally. */
    Fault NONE = new None();

    /** Answer normally after {@code delay}. */
    static Fault delay(Duration delay) {
        return new Delay(delay);
    }

    /** Read the request and never answer (the connection stays open until the client or the backend closes it). */
    static Fault hang() {
        return new Hang();
    }

    /** Answer with this status and the usual echo body. */
    static Fault status(int status) {
        return new Status(status);
    }

    /** Close the connection with a TCP reset instead of answering. */
    static Fault reset() {
        return new Reset();
    }

    record None() implements Fault {
    }

    record Delay(Duration delay) implements Fault {
        public Delay {
            requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
            }
        }
    }

    record Hang() implements Fault {
    }

    record Status(int status) implements Fault {
        public Status {
            if (status < 100 || status > 999) {
                throw new IllegalArgumentException("status: " + status + " (expected: 100..999)");
            }
        }
    }

    record Reset() implements Fault {
    }
}
