package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.a6suite.resilience.internal.Checks;

/** How long {@link Hedge} waits for the first attempt before starting the second. */
@FunctionalInterface
public interface HedgeDelay {

    /** The delay for a call starting now. */
    Duration delay();

    /** A fixed delay (gRPC's hedging policy). */
    static HedgeDelay fixed(Duration delay) {
        Checks.nonNegative("delay", delay);
        return () -> delay;
    }

    /**
     * The observed {@code percentile} of {@code key}'s latency (Finagle's backup requests, "The Tail at Scale": the
     * p95 costs about 5% extra load), or {@code warmupDelay} until the recorder has enough samples.
     */
    static HedgeDelay percentile(AdaptiveTimeout recorder, String key, double percentile, Duration warmupDelay) {
        requireNonNull(recorder, "recorder");
        requireNonNull(key, "key");
        Checks.inRange("percentile", percentile, Math.ulp(0.0), 100.0);
        Checks.nonNegative("warmupDelay", warmupDelay);
        return () -> recorder.percentile(key, percentile).orElse(warmupDelay);
    }
}
