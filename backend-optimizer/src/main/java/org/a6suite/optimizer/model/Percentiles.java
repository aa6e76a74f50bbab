package org.a6suite.optimizer.model;

import java.util.OptionalDouble;

/**
 * Latency percentiles in milliseconds; a percentile that was not reported is {@code NaN}.
 */
public record Percentiles(double p50, double p90, double p99, double p999) {

    public static final Percentiles NONE = new Percentiles(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** The value of {@code p50}, {@code p90}, {@code p99} or {@code p999}, if reported. */
    public OptionalDouble get(String name) {
        double v = switch (name) {
            case "p50" -> p50;
            case "p90" -> p90;
            case "p99" -> p99;
            case "p999" -> p999;
            default -> throw new IllegalArgumentException("percentile: " + name + " (expected: p50, p90, p99 or p999)");
        };
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    public boolean isEmpty() {
        return Double.isNaN(p50) && Double.isNaN(p90) && Double.isNaN(p99) && Double.isNaN(p999);
    }
}
