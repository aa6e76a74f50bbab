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

    /**
     * A degraded node: every response is delayed by {@code extraDelay}, and a share {@code errorRate} of them (drawn
     * from a random sequence seeded with {@code seed}, so a run can be repeated) are {@code 500} instead of 200.
     *
     * @throws IllegalArgumentException if {@code extraDelay} is negative or {@code errorRate} is outside 0..1
     */
    static Fault degraded(Duration extraDelay, double errorRate, long seed) {
        return new Degraded(extraDelay, errorRate, new java.util.SplittableRandom(seed));
    }

    record None() implements Fault {}

    record Delay(Duration delay) implements Fault {
        public Delay {
            requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
            }
        }
    }

    record Hang() implements Fault {}

    record Status(int status) implements Fault {
        public Status {
            if (status < 100 || status > 999) {
                throw new IllegalArgumentException("status: " + status + " (expected: 100..999)");
            }
        }
    }

    record Reset() implements Fault {}

    /** See {@link #degraded(Duration, double, long)}. */
    record Degraded(Duration extraDelay, double errorRate, java.util.SplittableRandom random) implements Fault {
        public Degraded {
            requireNonNull(extraDelay, "extraDelay");
            requireNonNull(random, "random");
            if (extraDelay.isNegative()) {
                throw new IllegalArgumentException("extraDelay: " + extraDelay + " (expected: >= 0)");
            }
            if (!(errorRate >= 0 && errorRate <= 1)) {
                throw new IllegalArgumentException("errorRate: " + errorRate + " (expected: 0..1)");
            }
        }

        /** The next draw: true when this response should be a 500. */
        public boolean nextIsError() {
            synchronized (random) {
                return random.nextDouble() < errorRate;
            }
        }
    }
}
