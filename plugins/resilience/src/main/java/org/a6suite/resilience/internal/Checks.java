package org.a6suite.resilience.internal;

import java.time.Duration;

/** Argument checks producing the project's {@code name: value (expected: ...)} messages. */
public final class Checks {

    private Checks() {}

    public static IllegalArgumentException invalid(String name, Object value, String expected) {
        return new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }

    public static int inRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid(name, value, min + " <= " + name + " <= " + max);
        }
        return value;
    }

    public static double inRange(String name, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw invalid(name, value, min + " <= " + name + " <= " + max);
        }
        return value;
    }

    public static Duration positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw invalid(name, value, "> 0");
        }
        return value;
    }

    public static Duration nonNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw invalid(name, value, ">= 0");
        }
        return value;
    }

    /**
     * The sliding window of a budget (retry or hedge): {@code window} in [1 s, 1 h] and {@code windowBuckets} in
     * [1, 600], so a bucket is never shorter than the clock's useful resolution and the ring stays small.
     */
    public static void budgetWindow(Duration window, int windowBuckets) {
        java.util.Objects.requireNonNull(window, "window");
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
            throw invalid("window", window, "PT1S <= window <= PT1H");
        }
        inRange("windowBuckets", windowBuckets, 1, 600);
    }
}
