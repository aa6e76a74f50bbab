package org.a6suite.runner.chain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Notices an {@link Placement.Adaptive} plugin stuck in a call on an event loop and demotes it while the call is
 * still running, so that its next calls, on this loop's neighbours, go to the pool instead of blocking them too.
 *
 * <p>Each event-loop thread owns one {@link Slot}, written only by that thread with release stores (two per inline
 * call, no fence, no allocation) and read by one scheduled check every {@code period}: the check costs one wake-up
 * per period for the whole runner, not one per call, and is only scheduled once some adaptive plugin runs inline.
 *
 * <p>Only a call whose thread is <em>asleep</em> (Linux task state {@code S} or {@code D} in
 * {@code /proc/self/task/<tid>/stat}: waiting on I/O, a lock, a sleep) past the threshold counts as blocking. A thread
 * that is runnable but not running, because the machine is overloaded, is not blocking and moving its plugin to the
 * pool would not help; judging by wall-clock time alone demoted quick filters on a loaded 2-core machine. Where the
 * state cannot be read (not Linux), the wall-clock time alone decides.
 *
 * <p>A JVM pause is not blocking either, but looks like it: a thread that triggered a young GC waits (state
 * {@code S}) until the collection is over, and so does every thread stopped at a safepoint. The check runs on a JVM
 * thread too, yet it can read the state in the moment a pause begins or before the waiting thread is woken after it;
 * on a loaded 2-core machine, where pauses last 20-400 ms, that demoted quick filters several times a minute (a JFR
 * run showed each demotion ending at the same millisecond as a G1 pause). So a call is demoted only when two
 * <em>steady</em> checks in a row find it asleep past the threshold: checks that came no later than
 * {@link #PAUSE_TOLERANCE_NANOS} after their period, so that nothing paused the JVM (or starved this check) in
 * between. A pause between two checks makes the second unsteady, and by the next one a quick call has long returned;
 * a call that really blocks is still asleep and is demoted one period later than on the first sight.
 */
public final class InlineWatchdog implements AutoCloseable {

    /** How late a check may come after its period and still count as steady (no pause in between). */
    public static final long PAUSE_TOLERANCE_NANOS = 10_000_000L;

    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> mine = ThreadLocal.withInitial(this::newSlot);
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService scheduler;
    private final long periodMillis;
    /** The longest gap between two checks that counts as steady. */
    private final long steadyGapNanos;
    /** When the last check ran (only {@link #check()} touches it); 0: never, so the first check is not steady. */
    private long lastCheck;

    private ScheduledFuture<?> task;
    private boolean closed;

    /**
     * @param scheduler where the check runs every {@code periodMillis}, once the first slot exists
     * @param nanoTime  the monotonic clock calls are timed with
     */
    public InlineWatchdog(ScheduledExecutorService scheduler, long periodMillis, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.scheduler = scheduler;
        this.periodMillis = periodMillis;
        this.steadyGapNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis) + PAUSE_TOLERANCE_NANOS;
    }

    /**
     * A watchdog without a periodic check (tests drive {@link #check()}): a check is steady when it follows the last
     * one within {@link #PAUSE_TOLERANCE_NANOS}.
     */
    public static InlineWatchdog manual(LongSupplier nanoTime) {
        return new InlineWatchdog(null, 0, nanoTime);
    }

    long now() {
        return nanoTime.getAsLong();
    }

    /** The calling event loop's slot. */
    Slot slot() {
        return mine.get();
    }

    private Slot newSlot() {
        Slot slot = new Slot();
        slots.add(slot);
        startChecking();
        return slot;
    }

    private synchronized void startChecking() {
        if (scheduler != null && task == null && !closed) {
            task = scheduler.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Demotes every adaptive plugin whose inline call this check and the one before it, both steady, found asleep
     * past its threshold.
     */
    public synchronized void check() {
        long now = nanoTime.getAsLong();
        boolean steady = lastCheck != 0 && now - lastCheck <= steadyGapNanos;
        lastCheck = now;
        for (Slot slot : slots) {
            long started = slot.startedAt.getAcquire();
            Placement.Adaptive placement = slot.placement;
            boolean blocking = steady
                    && started != 0
                    && placement != null
                    && now - started > placement.slowNanos()
                    && slot.asleep()
                    && slot.startedAt.getAcquire() == started;
            if (blocking && slot.suspected == started) {
                placement.demote(now - started, "on an I/O thread, and is still waiting");
                slot.suspected = 0;
            } else {
                slot.suspected = blocking ? started : 0;
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (task != null) {
            task.cancel(false);
        }
    }

    /** One event loop's call in progress: start time (0 = none) and whose it is. */
    static final class Slot {
        private final AtomicLong startedAt = new AtomicLong();
        private final Optional<Path> stat = ownStat();
        private volatile Placement.Adaptive placement;
        /** The start of the call the last check found blocking (0: none); only {@link #check()} touches it. */
        private long suspected;

        /** The calling thread's {@code /proc} stat file, from the {@code /proc/thread-self} link. */
        private static Optional<Path> ownStat() {
            try {
                Path task = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
                return Optional.of(Path.of("/proc/self/task", task.getFileName().toString(), "stat"));
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return Optional.empty();
            }
        }

        /** Whether the slot's thread is asleep (task state S or D); true when it cannot be told. */
        boolean asleep() {
            if (stat.isEmpty()) {
                return true;
            }
            try {
                String line = Files.readString(stat.get());
                int end = line.lastIndexOf(')'); // the command name in parentheses may contain spaces
                char state = end >= 0 && end + 2 < line.length() ? line.charAt(end + 2) : '?';
                return state == 'S' || state == 'D';
            } catch (IOException e) {
                return true;
            }
        }

        void enter(Placement.Adaptive adaptive, long now) {
            if (placement != adaptive) {
                placement = adaptive;
            }
            startedAt.setRelease(now == 0 ? 1 : now);
        }

        void exit() {
            startedAt.setRelease(0);
        }
    }
}
