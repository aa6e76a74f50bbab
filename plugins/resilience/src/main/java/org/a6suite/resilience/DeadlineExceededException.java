package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A call's stage completes with this when a deadline decorator's deadline expired first; the inner stage has been
 * cancelled by then.
 */
public final class DeadlineExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Which deadline expired. */
    public enum Scope {
        /** The deadline of the whole call, retries and hedges included. */
        TOTAL,
        /** The deadline of one attempt. */
        ATTEMPT
    }

    private final Scope scope;
    private final Duration timeout;

    /**
     * @param scope which deadline expired
     * @param timeout the time that was allowed (the remaining time of the binding deadline when the call started)
     */
    public DeadlineExceededException(Scope scope, Duration timeout) {
        // No stack trace: this is an expected, frequent outcome and its origin is always a timer.
        super(
                requireNonNull(scope, "scope").name().toLowerCase(java.util.Locale.ROOT) + " deadline exceeded after "
                        + requireNonNull(timeout, "timeout").toMillis() + " ms",
                null,
                false,
                false);
        this.scope = scope;
        this.timeout = timeout;
    }

    /** Which deadline expired. */
    public Scope scope() {
        return scope;
    }

    /** The time that was allowed. */
    public Duration timeout() {
        return timeout;
    }
}
