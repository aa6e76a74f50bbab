package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

/**
 * Told about every attempt that passes through {@link Attempts#recorded}; used for call logs, cost accounting, the
 * runner's health reporter and {@link AdaptiveTimeout}'s latency windows.
 *
 * <p>Called on the thread that completed the attempt: keep it short and never throw (a throwing listener is logged
 * and ignored).
 */
@FunctionalInterface
public interface AttemptListener {

    void onAttempt(AttemptEvent event);

    /** A listener that does nothing. */
    static AttemptListener noop() {
        return event -> {};
    }

    /** Returns a listener that tells this one and then {@code next}. */
    default AttemptListener andThen(AttemptListener next) {
        requireNonNull(next, "next");
        return event -> {
            onAttempt(event);
            next.onAttempt(event);
        };
    }
}
