package org.a6suite.health.internal;

/** Latency percentiles in milliseconds over one interval. */
public record Percentiles(double p50, double p90, double p99, double p999) {}
