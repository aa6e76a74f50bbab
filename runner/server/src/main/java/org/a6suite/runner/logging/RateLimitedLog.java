package org.a6suite.runner.logging;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * WARN lines a peer can provoke at will (a malformed frame, a refused connection, a failing route), at most one line
 * per kind per interval. The first occurrence is logged at once; later ones within the interval are counted, and the
 * next line of that kind after the interval says how many were left out:
 *
 * <pre>
 *   closing an APISIX connection: malformed frame (...) [kind=protocol_error, 9999 similar suppressed in the last 10 s]
 * </pre>
 *
 * <p>Kinds are constants chosen by the code, never text from a peer, so the map of kinds stays small. Thread-safe and
 * lock-free; time comes from the given nanosecond source, so tests move it instead of sleeping.
 */
public final class RateLimitedLog {

    /** One line per kind per 10 s: a flood of 100,000 bad frames a second costs one line every 10 s. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private final Logger logger;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

    /**
     * @param logger   where the lines go
     * @param interval the least time between two lines of one kind; positive
     * @param nanoTime a monotonic nanosecond source, e.g. {@code System::nanoTime}
     */
    public RateLimitedLog(Logger logger, Duration interval, LongSupplier nanoTime) {
        this.logger = requireNonNull(logger, "logger");
        requireNonNull(interval, "interval");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: positive)");
        }
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Logs {@code format} with {@code args} at WARN unless a line of {@code kind} was logged less than an interval
     * ago, in which case it only counts. Untrusted arguments must already be {@linkplain LogText#escape escaped}. A
     * trailing {@link Throwable} argument is logged with its stack trace, as slf4j does.
     */
    public void warn(String kind, String format, Object... args) {
        requireNonNull(kind, "kind");
        if (!logger.isWarnEnabled()) {
            return;
        }
        long suppressed = slots.computeIfAbsent(kind, k -> new Slot()).tryAcquire(nanoTime.getAsLong(), intervalNanos);
        if (suppressed < 0) {
            return;
        }
        Object[] all;
        String suffix;
        boolean trailingThrowable = args.length > 0 && args[args.length - 1] instanceof Throwable;
        int plain = trailingThrowable ? args.length - 1 : args.length;
        if (suppressed == 0) {
            suffix = " [kind={}]";
            all = new Object[args.length + 1];
            System.arraycopy(args, 0, all, 0, plain);
            all[plain] = kind;
        } else {
            suffix = " [kind={}, {} similar suppressed in the last {} s]";
            all = new Object[args.length + 3];
            System.arraycopy(args, 0, all, 0, plain);
            all[plain] = kind;
            all[plain + 1] = suppressed;
            all[plain + 2] = Math.max(1, intervalNanos / 1_000_000_000L);
        }
        if (trailingThrowable) {
            all[all.length - 1] = args[args.length - 1];
        }
        logger.warn(format + suffix, all);
    }

    /** Lines of {@code kind} counted but not logged since its last line. */
    public long pending(String kind) {
        Slot slot = slots.get(kind);
        return slot == null ? 0 : slot.suppressed.get();
    }

    private static final class Slot {
        /** When the next line may be logged; Long.MIN_VALUE until the first. */
        private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);

        private final AtomicLong suppressed = new AtomicLong();

        /** The count to report if this caller may log now (0 or more), else -1 after counting it as suppressed. */
        long tryAcquire(long now, long interval) {
            while (true) {
                long next = nextAllowed.get();
                if (next != Long.MIN_VALUE && now - next < 0) {
                    suppressed.incrementAndGet();
                    return -1;
                }
                if (nextAllowed.compareAndSet(next, now + interval)) {
                    return suppressed.getAndSet(0);
                }
            }
        }
    }
}
