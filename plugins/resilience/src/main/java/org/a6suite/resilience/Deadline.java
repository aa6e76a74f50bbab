package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * An immutable absolute expiry on a {@link Ticker}.
 *
 * <p>Deadlines compare with each other only when they share the same ticker instance. A deadline created with
 * {@link #never(Ticker)} never expires; {@link #remaining()} returns {@link #INFINITE} for it.
 */
public final class Deadline {

    /** What {@link #remaining()} returns for a deadline that never expires (about 292 years). */
    public static final Duration INFINITE = Duration.ofNanos(Long.MAX_VALUE);

    private final Ticker ticker;
    private final long expiresAtNanos;
    private final boolean infinite;

    private Deadline(Ticker ticker, long expiresAtNanos, boolean infinite) {
        this.ticker = ticker;
        this.expiresAtNanos = expiresAtNanos;
        this.infinite = infinite;
    }

    /**
     * Returns a deadline {@code timeout} from now on {@code ticker}. Timeouts too large to represent in nanoseconds
     * (about 292 years) give a deadline that never expires; zero or negative timeouts give an expired deadline.
     */
    public static Deadline ofTimeout(Ticker ticker, Duration timeout) {
        requireNonNull(ticker, "ticker");
        requireNonNull(timeout, "timeout");
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException overflow) {
            return never(ticker);
        }
        if (nanos == Long.MAX_VALUE) {
            return never(ticker);
        }
        return new Deadline(ticker, ticker.nanoTime() + Math.max(0, nanos), false);
    }

    /** Returns a deadline that never expires. */
    public static Deadline never(Ticker ticker) {
        return new Deadline(requireNonNull(ticker, "ticker"), 0, true);
    }

    /** The ticker this deadline reads time from. */
    public Ticker ticker() {
        return ticker;
    }

    /** Whether this deadline never expires. */
    public boolean isInfinite() {
        return infinite;
    }

    /** Time left before expiry, {@link Duration#ZERO} once expired, {@link #INFINITE} if it never expires. */
    public Duration remaining() {
        return Duration.ofNanos(remainingNanos());
    }

    /** Time left in nanoseconds, 0 once expired, {@link Long#MAX_VALUE} if it never expires. */
    public long remainingNanos() {
        if (infinite) {
            return Long.MAX_VALUE;
        }
        // Subtraction, not comparison, so a wrapping nanoTime stays correct (as System.nanoTime's contract asks).
        return Math.max(0, expiresAtNanos - ticker.nanoTime());
    }

    /** Whether the deadline has passed. */
    public boolean isExpired() {
        return !infinite && expiresAtNanos - ticker.nanoTime() <= 0;
    }

    /** Returns whichever of this and {@code other} expires first (this one on a tie). */
    public Deadline min(Deadline other) {
        requireNonNull(other, "other");
        if (other.infinite) {
            return this;
        }
        if (infinite) {
            return other;
        }
        return other.expiresAtNanos - expiresAtNanos < 0 ? other : this;
    }

    /** Returns the earlier of this deadline and one {@code timeout} from now. */
    public Deadline withTimeout(Duration timeout) {
        return min(ofTimeout(ticker, timeout));
    }

    @Override
    public String toString() {
        return infinite ? "Deadline[never]" : "Deadline[remaining=" + remaining() + "]";
    }
}
