package org.a6suite.optimizer.policy;

import java.time.Duration;
import java.util.Set;

/**
 * How the optimizer tunes one upstream. Immutable and validated: a bad value throws {@link PolicyException} naming the
 * field. Per-upstream policies are partial JSON objects merged over the default policy (see {@code PolicyStore}).
 *
 * @param mode                      off, recommend (show only) or auto (apply); default recommend
 * @param minSamples                requests per interval over the whole upstream before timeouts are tuned; default 100
 * @param minNodeSamples            requests per interval before a node's score moves; default 20
 * @param connectPercentile         connect-time percentile the connect timeout derives from; default p99
 * @param connectFactor             connect timeout = connect percentile x this; default 3.0
 * @param readPercentile            response-time percentile the send/read timeouts derive from; default p99
 * @param readFactor                read timeout = read percentile x this; default 2.0
 * @param minConnectTimeout         lower bound of the connect timeout, seconds; default 0.5
 * @param maxConnectTimeout         upper bound of the connect timeout, seconds; default 10
 * @param minReadTimeout            lower bound of the send/read timeouts, seconds; default 1
 * @param maxReadTimeout            upper bound of the send/read timeouts, seconds; default 60
 * @param timeoutHysteresis         relative change needed before a timeout is changed; default 0.2 (20 %)
 * @param timeoutMinIntervalSeconds minimum time between two timeout changes; default 60
 * @param weightMinIntervalSeconds  minimum time between two weight changes; default 10
 * @param smoothing                 EWMA factor of a node's health score (weight of the newest interval); default 0.5
 * @param latencyTolerance          a node slower than the upstream's median p90 x this loses score; default 1.5
 * @param maxWeightStep             largest weight change per step, as a fraction of the node's base weight; default 0.25
 * @param weightFloor               lowest weight of a node that is not ejected, fraction of base weight; default 0.1
 * @param ejectErrorRate            error rate at which an interval counts as failing; default 0.5
 * @param ejectAfterIntervals       consecutive failing intervals before ejection (weight 0); default 3
 * @param maxEjectFraction          largest fraction of nodes ejected at once; default 0.5
 * @param ejectBaseSeconds          ejection time = this x times ejected; default 30
 * @param ejectMaxSeconds           longest ejection; default 300
 * @param guardWindowSeconds        how long after a change its effect is watched; default 60
 * @param rollbackErrorRateIncrease error-rate increase (absolute) within the guard window that rolls back; default 0.05
 * @param latencyToleranceMs        latency above the median p90 that never lowers a score, milliseconds; default 20
 * @param outlierLatencyFactor      a node whose p90 is at least this x its peers' median p90 is a latency outlier;
 *                                  default 3
 * @param outlierLatencyMinMs       ... and at least this many milliseconds above that median; default 50
 * @param outlierConsecutiveReports consecutive outlier reports before ejection (weight 0); 0 turns latency ejection
 *                                  off; default 2
 * @param lowWeightMinNodeSamples   requests per interval before the score of a node already below its base weight
 *                                  moves (it gets less traffic on purpose); default 3
 */
public record Policy(
        Mode mode,
        long minSamples,
        long minNodeSamples,
        String connectPercentile,
        double connectFactor,
        String readPercentile,
        double readFactor,
        double minConnectTimeout,
        double maxConnectTimeout,
        double minReadTimeout,
        double maxReadTimeout,
        double timeoutHysteresis,
        double timeoutMinIntervalSeconds,
        double weightMinIntervalSeconds,
        double smoothing,
        double latencyTolerance,
        double maxWeightStep,
        double weightFloor,
        double ejectErrorRate,
        int ejectAfterIntervals,
        double maxEjectFraction,
        double ejectBaseSeconds,
        double ejectMaxSeconds,
        double guardWindowSeconds,
        double rollbackErrorRateIncrease,
        double latencyToleranceMs,
        double outlierLatencyFactor,
        double outlierLatencyMinMs,
        int outlierConsecutiveReports,
        long lowWeightMinNodeSamples) {

    private static final Set<String> PERCENTILES = Set.of("p50", "p90", "p99", "p999");

    /** The built-in default policy. */
    public static final Policy DEFAULT = new Policy(
            Mode.RECOMMEND,
            100,
            20,
            "p99",
            3.0,
            "p99",
            2.0,
            0.5,
            10,
            1,
            60,
            0.2,
            60,
            10,
            0.5,
            1.5,
            0.25,
            0.1,
            0.5,
            3,
            0.5,
            30,
            300,
            60,
            0.05,
            20,
            3,
            50,
            2,
            3);

    public Policy {
        if (mode == null) {
            throw new PolicyException("mode", null, "off, recommend or auto");
        }
        min("minSamples", minSamples, 1);
        min("minNodeSamples", minNodeSamples, 1);
        percentile("connectPercentile", connectPercentile);
        percentile("readPercentile", readPercentile);
        range("connectFactor", connectFactor, 1, 100);
        range("readFactor", readFactor, 1, 100);
        range("minConnectTimeout", minConnectTimeout, 0.001, 3600);
        range("maxConnectTimeout", maxConnectTimeout, minConnectTimeout, 3600);
        range("minReadTimeout", minReadTimeout, 0.001, 3600);
        range("maxReadTimeout", maxReadTimeout, minReadTimeout, 3600);
        range("timeoutHysteresis", timeoutHysteresis, 0, 10);
        range("timeoutMinIntervalSeconds", timeoutMinIntervalSeconds, 0, 86400);
        range("weightMinIntervalSeconds", weightMinIntervalSeconds, 0, 86400);
        range("smoothing", smoothing, 0.01, 1);
        range("latencyTolerance", latencyTolerance, 1, 100);
        range("maxWeightStep", maxWeightStep, 0.01, 1);
        range("weightFloor", weightFloor, 0, 1);
        range("ejectErrorRate", ejectErrorRate, 0.01, 1);
        min("ejectAfterIntervals", ejectAfterIntervals, 1);
        range("maxEjectFraction", maxEjectFraction, 0, 1);
        range("ejectBaseSeconds", ejectBaseSeconds, 1, 86400);
        range("ejectMaxSeconds", ejectMaxSeconds, ejectBaseSeconds, 86400);
        range("guardWindowSeconds", guardWindowSeconds, 0, 86400);
        range("rollbackErrorRateIncrease", rollbackErrorRateIncrease, 0, 1);
        range("latencyToleranceMs", latencyToleranceMs, 0, 60000);
        range("outlierLatencyFactor", outlierLatencyFactor, 1, 100);
        range("outlierLatencyMinMs", outlierLatencyMinMs, 0, 60000);
        min("outlierConsecutiveReports", outlierConsecutiveReports, 0);
        min("lowWeightMinNodeSamples", lowWeightMinNodeSamples, 1);
    }

    public Duration timeoutMinInterval() {
        return seconds(timeoutMinIntervalSeconds);
    }

    public Duration weightMinInterval() {
        return seconds(weightMinIntervalSeconds);
    }

    public Duration guardWindow() {
        return seconds(guardWindowSeconds);
    }

    static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static void min(String field, long v, long min) {
        if (v < min) {
            throw new PolicyException(field, v, ">= " + min);
        }
    }

    private static void range(String field, double v, double min, double max) {
        if (Double.isNaN(v) || v < min || v > max) {
            throw new PolicyException(field, v, "a number in [" + fmt(min) + ", " + fmt(max) + "]");
        }
    }

    private static void percentile(String field, String v) {
        if (v == null || !PERCENTILES.contains(v)) {
            throw new PolicyException(field, v, "p50, p90, p99 or p999");
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
