package org.a6suite.plugin.testing;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A UTC clock that moves only when a test says so. Thread-safe. */
public final class ManualClock extends Clock {

    private final AtomicReference<Instant> now;

    public ManualClock(Instant start) {
        this.now = new AtomicReference<>(requireNonNull(start, "start"));
    }

    /** Moves the clock forward by {@code by} (must not be negative: wall clocks in tests do not go back). */
    public void advance(Duration by) {
        requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("by: " + by + " (expected: >= 0)");
        }
        now.updateAndGet(i -> i.plus(by));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** The same clock: a manual clock has one time line, and tests read it in UTC. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
