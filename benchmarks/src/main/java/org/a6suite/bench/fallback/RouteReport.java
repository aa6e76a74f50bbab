package org.a6suite.bench.fallback;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What clients of one route saw in one scenario, from its {@link Sample}s (times are request starts, in ns since the
 * scenario's origin). "Fast" means a 2xx answer read completely within the fast threshold.
 */
record RouteReport(
        String route,
        Window steady,
        Window fault,
        Window recovery,
        Optional<Double> timeToFastSeconds,
        Optional<Double> firstFastSeconds,
        Optional<Double> firstBackendAnswerAfterRestoreSeconds,
        Optional<Double> lastFallbackAfterRestoreSeconds) {

    /** Requests started in one phase. */
    record Window(
            long requests,
            long fast,
            long fromFallback,
            long failed,
            long noResponse,
            long slow,
            double p50Ms,
            double p99Ms,
            double maxMs) {

        String share(long part) {
            return requests == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / requests);
        }
    }

    /** A request this slow or slower counts as hung (far above any healthy answer on loopback). */
    static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Slices for "answers are fast again": 500 ms, of which at least 90% of requests must be fast. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private static final double FAST_SHARE = 0.9;

    static RouteReport of(
            String route, List<Sample> all, long steadyFrom, long faultAt, long restoreAt, long endAt, long fastNanos) {
        List<Sample> mine = all.stream().filter(s -> s.route().equals(route)).toList();
        List<Sample> steady = between(mine, steadyFrom, faultAt);
        List<Sample> fault = between(mine, faultAt, restoreAt);
        List<Sample> recovery = between(mine, restoreAt, endAt);
        return new RouteReport(
                route,
                window(steady, fastNanos),
                window(fault, fastNanos),
                window(recovery, fastNanos),
                timeToFast(fault, faultAt, restoreAt, fastNanos),
                fault.stream().filter(s -> fast(s, fastNanos)).mapToLong(Sample::startNanos).min().stream()
                        .mapToObj(t -> seconds(t - faultAt))
                        .findFirst(),
                recovery.stream()
                        .filter(s -> s.good() && !s.fromFallback())
                        .mapToLong(Sample::startNanos)
                        .min()
                        .stream()
                        .mapToObj(t -> seconds(t - restoreAt))
                        .findFirst(),
                recovery.stream().filter(Sample::fromFallback).mapToLong(Sample::startNanos).max().stream()
                        .mapToObj(t -> seconds(t - restoreAt))
                        .findFirst());
    }

    /**
     * Time from the fault to the start of the first fast request in the first 500 ms slice in which at least 90% of
     * the requests got fast answers: when clients get answers within the threshold again. Empty if never.
     */
    private static Optional<Double> timeToFast(List<Sample> fault, long faultAt, long restoreAt, long fastNanos) {
        int slices = (int) Math.max(1, (restoreAt - faultAt) / SLICE_NANOS);
        long[] total = new long[slices];
        long[] fast = new long[slices];
        for (Sample s : fault) {
            int i = (int) Math.min(slices - 1, (s.startNanos() - faultAt) / SLICE_NANOS);
            total[i]++;
            if (fast(s, fastNanos)) {
                fast[i]++;
            }
        }
        for (int i = 0; i < slices; i++) {
            if (total[i] > 0 && fast[i] >= FAST_SHARE * total[i]) {
                long sliceStart = faultAt + i * SLICE_NANOS;
                return fault.stream()
                        .filter(s -> s.startNanos() >= sliceStart && fast(s, fastNanos))
                        .mapToLong(Sample::startNanos)
                        .min()
                        .stream()
                        .mapToObj(t -> seconds(t - faultAt))
                        .findFirst();
            }
        }
        return Optional.empty();
    }

    static boolean fast(Sample s, long fastNanos) {
        return s.good() && s.latencyNanos() <= fastNanos;
    }

    static List<Sample> between(List<Sample> samples, long from, long to) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.startNanos() >= from && s.startNanos() < to) {
                out.add(s);
            }
        }
        return out;
    }

    static Window window(List<Sample> samples, long fastNanos) {
        Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        long fast = 0, fallback = 0, failed = 0, none = 0, slow = 0;
        for (Sample s : samples) {
            h.recordValue(Math.max(
                    1, Math.min(TimeUnit.NANOSECONDS.toMicros(s.latencyNanos()), h.getHighestTrackableValue())));
            fast += fast(s, fastNanos) ? 1 : 0;
            fallback += s.fromFallback() ? 1 : 0;
            failed += s.failed() ? 1 : 0;
            none += s.status() == Sample.NO_RESPONSE ? 1 : 0;
            slow += s.latencyNanos() >= SLOW_NANOS ? 1 : 0;
        }
        return new Window(
                samples.size(),
                fast,
                fallback,
                failed,
                none,
                slow,
                ms(h, 50),
                ms(h, 99),
                h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram h, double p) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1000.0;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
