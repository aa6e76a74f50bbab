package org.a6suite.resilience.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.a6suite.resilience.Ticker;

/**
 * A {@link Clock} whose instants move with a {@link Ticker}, so Resilience4j's open-state wait and time windows follow
 * the toolkit's (possibly manual) time. The instants are not wall-clock time: they start near the epoch.
 */
public final class TickerClock extends Clock {

    private final Ticker ticker;
    private final ZoneId zone;

    public TickerClock(Ticker ticker) {
        this(ticker, ZoneOffset.UTC);
    }

    private TickerClock(Ticker ticker, ZoneId zone) {
        this.ticker = ticker;
        this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new TickerClock(ticker, zone);
    }

    @Override
    public Instant instant() {
        return Instant.EPOCH.plusNanos(ticker.nanoTime());
    }

    @Override
    public long millis() {
        return Math.floorDiv(ticker.nanoTime(), 1_000_000L);
    }
}
