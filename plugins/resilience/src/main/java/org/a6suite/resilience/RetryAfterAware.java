package org.a6suite.resilience;

import java.time.Duration;
import java.util.Optional;

/**
 * Implemented by exceptions (or result types) that carry a server-supplied minimum delay before the next attempt,
 * such as HTTP {@code Retry-After}; {@link OutcomeClassifier#ofDefaults()} turns it into
 * {@link Outcome#retryableAfter(Duration)}.
 */
public interface RetryAfterAware {

    /** The minimum delay before retrying, if the server gave one. */
    Optional<Duration> retryAfter();
}
