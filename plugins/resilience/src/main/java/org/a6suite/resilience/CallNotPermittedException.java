package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

/** A call rejected at once because its circuit breaker is open (or half-open with all probes taken). */
public final class CallNotPermittedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String breakerName;
    private final BreakerState state;

    public CallNotPermittedException(String breakerName, BreakerState state) {
        // Frequent and expected while a breaker is open: no stack trace.
        super(
                "circuit breaker '" + requireNonNull(breakerName, "breakerName") + "' is "
                        + requireNonNull(state, "state") + " and does not permit further calls",
                null,
                false,
                false);
        this.breakerName = breakerName;
        this.state = state;
    }

    /** The breaker's name (e.g. {@code provider/model}). */
    public String breakerName() {
        return breakerName;
    }

    /** The breaker's state when it rejected the call. */
    public BreakerState state() {
        return state;
    }
}
