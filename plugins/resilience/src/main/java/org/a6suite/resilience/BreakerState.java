package org.a6suite.resilience;

/** A circuit breaker's state (Resilience4j's states, without its dependency in signatures). */
public enum BreakerState {
    CLOSED,
    OPEN,
    HALF_OPEN,
    DISABLED,
    METRICS_ONLY,
    FORCED_OPEN;

    static BreakerState of(io.github.resilience4j.circuitbreaker.CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> CLOSED;
            case OPEN -> OPEN;
            case HALF_OPEN -> HALF_OPEN;
            case DISABLED -> DISABLED;
            case METRICS_ONLY -> METRICS_ONLY;
            case FORCED_OPEN -> FORCED_OPEN;
        };
    }
}
