package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How one attempt ended, as an {@link OutcomeClassifier} judges it; read by retry (retry or not), the breaker
 * (success or failure), hedging and fallback (did it succeed) and listeners (accounting).
 *
 * @param type the kind of outcome
 * @param retryAfter a minimum delay before the next attempt that the server asked for (e.g. {@code Retry-After}),
 *     only meaningful for {@link Type#RETRYABLE_FAILURE}
 */
public record Outcome(Type type, Optional<Duration> retryAfter) {

    /** The kinds of outcome. */
    public enum Type {
        /** Success: the breaker records a success, retry and fallback stop. */
        SUCCESS,
        /** A failure worth another attempt (timeouts, connection errors, 429, 5xx). Counts against the breaker. */
        RETRYABLE_FAILURE,
        /** A failure that another attempt would repeat. Counts against the breaker; falls back. */
        FAILURE,
        /**
         * Neither success nor failure of the target (e.g. a 400 caused by the client's request): not retried, not
         * counted by the breaker, not a reason to fall back.
         */
        IGNORED,
        /** The attempt was cancelled (a hedge's loser, an expired outer deadline). Assigned by the toolkit only. */
        CANCELLED
    }

    private static final Outcome SUCCESS = new Outcome(Type.SUCCESS, Optional.empty());
    private static final Outcome FAILURE = new Outcome(Type.FAILURE, Optional.empty());
    private static final Outcome RETRYABLE = new Outcome(Type.RETRYABLE_FAILURE, Optional.empty());
    private static final Outcome IGNORED = new Outcome(Type.IGNORED, Optional.empty());
    private static final Outcome CANCELLED = new Outcome(Type.CANCELLED, Optional.empty());

    public Outcome {
        requireNonNull(type, "type");
        requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isPresent() && retryAfter.get().isNegative()) {
            throw new IllegalArgumentException("retryAfter: " + retryAfter.get() + " (expected: >= 0)");
        }
    }

    public static Outcome success() {
        return SUCCESS;
    }

    public static Outcome failure() {
        return FAILURE;
    }

    public static Outcome retryable() {
        return RETRYABLE;
    }

    /** A retryable failure whose next attempt must wait at least {@code minDelay} (the server's Retry-After). */
    public static Outcome retryableAfter(Duration minDelay) {
        return new Outcome(Type.RETRYABLE_FAILURE, Optional.of(requireNonNull(minDelay, "minDelay")));
    }

    public static Outcome ignored() {
        return IGNORED;
    }

    public static Outcome cancelled() {
        return CANCELLED;
    }

    /** Whether this is {@link Type#SUCCESS}. */
    public boolean isSuccess() {
        return type == Type.SUCCESS;
    }

    /** Whether this counts as a failure of the target ({@link Type#FAILURE} or {@link Type#RETRYABLE_FAILURE}). */
    public boolean isFailure() {
        return type == Type.FAILURE || type == Type.RETRYABLE_FAILURE;
    }
}
