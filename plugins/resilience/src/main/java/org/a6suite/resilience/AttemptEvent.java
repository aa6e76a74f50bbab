package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * One attempt's record for accounting and health reporting.
 *
 * @param target what was called (e.g. {@code openai/gpt-4o} or an upstream node {@code 10.0.0.5:8080})
 * @param outcome how it ended
 * @param duration how long it took on the toolkit's ticker
 * @param error the exception, if it ended exceptionally
 */
public record AttemptEvent(String target, Outcome outcome, Duration duration, Optional<Throwable> error) {

    public AttemptEvent {
        requireNonNull(target, "target");
        requireNonNull(outcome, "outcome");
        requireNonNull(duration, "duration");
        requireNonNull(error, "error");
    }
}
