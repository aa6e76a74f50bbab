package org.a6suite.runner.metrics;

import java.time.Duration;
import java.util.Arrays;

/**
 * The classic histogram bucket boundaries of the runner's registry. Classic buckets (rather than summaries) are what
 * Prometheus can add up across runners and re-aggregate over any window with {@code histogram_quantile}; the
 * boundaries are fixed here so every runner exports the same ones.
 *
 * <p>The boundaries are SLO-style: dense where a target is likely to be set, sparse in the tail, every one a round
 * number an operator can name in an alert ("share of calls over 250 ms"). A quantile read from them is exact at a
 * boundary and interpolated linearly in between.
 */
public final class Buckets {

    /**
     * Plugin latencies in seconds (names ending in {@code _seconds}): provider attempts and gateway calls, time to
     * first token, MCP tool calls. They span a 5 ms cache answer to a two-minute model completion.
     */
    static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    /** {@link #SECONDS} as durations, for the timers that record them. */
    static final Duration[] SECONDS_DURATIONS = seconds(SECONDS);

    /**
     * The same latencies for names ending in {@code _milliseconds} or {@code _ms} (recorded rounded up to a whole
     * millisecond, as Micrometer counts bucket hits of non-time histograms on whole numbers).
     */
    static final double[] MILLISECONDS =
            Arrays.stream(SECONDS).map(s -> s * 1000).toArray();

    /**
     * Anything else a plugin observes (token counts, sizes): a 1-2.5-5 ladder over seven decades, 1 to 10 million.
     */
    static final double[] GENERIC = {
        1,
        2.5,
        5,
        10,
        25,
        50,
        100,
        250,
        500,
        1_000,
        2_500,
        5_000,
        10_000,
        25_000,
        50_000,
        100_000,
        250_000,
        500_000,
        1_000_000,
        2_500_000,
        5_000_000,
        10_000_000
    };

    /**
     * The runner's own call latency, request frame to reply ({@code a6_runner_call_duration_seconds}): 100 µs to
     * 10 s. A call without blocking plugins answers well under a millisecond, so the low end is dense.
     */
    static final Duration[] RUNNER_CALL =
            seconds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

    private Buckets() {}

    /** The boundaries for a non-seconds observation named {@code name}, chosen by its unit suffix. */
    static double[] forName(String name) {
        if (name.endsWith("_milliseconds") || name.endsWith("_ms")) {
            return MILLISECONDS;
        }
        return GENERIC;
    }

    private static Duration[] seconds(double... values) {
        return Arrays.stream(values)
                .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                .toArray(Duration[]::new);
    }
}
