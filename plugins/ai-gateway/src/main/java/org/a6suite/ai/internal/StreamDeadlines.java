package org.a6suite.ai.internal;

import java.time.Duration;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Adaptive;
import org.a6suite.config.InvalidFieldException;

/**
 * The stream deadlines ({@code timeouts.first_token}, {@code timeouts.token_gap}) from the fields a route gave: each
 * field left out takes a default derived from the total and the attempt deadline, so the defaults (unlike the
 * schema's fixed ones) live here.
 */
public final class StreamDeadlines {

    private StreamDeadlines() {}

    /** A stream deadline object as written; absent fields are empty. Durations in milliseconds. */
    public record Given(
            Optional<Double> percentile,
            Optional<Double> multiplier,
            Optional<Duration> floorMs,
            Optional<Duration> ceilingMs,
            Optional<Duration> warmupMs,
            Optional<Integer> minSamples) {
        static final Given NONE = new Given(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** From the request to the first content chunk; it replaces the attempt deadline for streams. */
    public static Adaptive firstToken(Given given, Duration total, Duration attemptCeiling, Duration attemptWarmup) {
        return resolve(
                "first_token",
                given,
                total,
                99,
                3,
                Math.min(2_000, total.toMillis()),
                attemptCeiling.toMillis(),
                attemptWarmup.toMillis(),
                20);
    }

    /** The longest provider silence once a stream is committed: a cut answer cannot be retried, so it is generous. */
    public static Adaptive tokenGap(Given given, Duration total) {
        long t = total.toMillis();
        return resolve(
                "token_gap", given, total, 99.9, 5, Math.min(10_000, t), Math.min(60_000, t), Math.min(30_000, t), 50);
    }

    private static Adaptive resolve(
            String at,
            Given given,
            Duration total,
            double percentile,
            double multiplier,
            long floor,
            long ceiling,
            long warmup,
            int minSamples) {
        Given g = given == null ? Given.NONE : given;
        long max = total.toMillis();
        long f = within(at + ".floor_ms", g.floorMs(), Math.min(floor, max), max);
        long c = within(at + ".ceiling_ms", g.ceilingMs(), Math.max(f, Math.min(ceiling, max)), max);
        if (c < f) {
            throw new InvalidFieldException(at + ".ceiling_ms", c, ">= floor_ms (" + f + ")");
        }
        long w = within(at + ".warmup_ms", g.warmupMs(), Math.max(f, Math.min(warmup, c)), max);
        if (w < f || w > c) {
            throw new InvalidFieldException(at + ".warmup_ms", w, f + " <= warmup_ms <= " + c);
        }
        return new Adaptive(
                g.percentile().orElse(percentile),
                g.multiplier().orElse(multiplier),
                Duration.ofMillis(f),
                Duration.ofMillis(c),
                Duration.ofMillis(w),
                g.minSamples().orElse(minSamples));
    }

    private static long within(String field, Optional<Duration> given, long dflt, long total) {
        long v = given.map(Duration::toMillis).orElse(dflt);
        if (v > total) {
            throw new InvalidFieldException(field, v, "<= total_ms (" + total + ")");
        }
        return v;
    }
}
