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
 * pool would not help; judging by wall-clock time alone demoted quick filters on a loaded 2-core machine. A safepoint
 * pause stops this check too, so it is never mistaken for blocking. Where the state cannot be read (not Linux), the
 * wall-clock time alone decides.
 */
public final class InlineWatchdog implements AutoCloseable {

    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> mine = ThreadLocal.withInitial(this::newSlot);
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService scheduler;
    private final long periodMillis;
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
    }

    /** A watchdog without a periodic check (tests drive {@link #check()}). */
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

    /** Demotes every adaptive plugin whose inline call has run longer than its threshold. */
    public void check() {
        long now = nanoTime.getAsLong();
        for (Slot slot : slots) {
            long started = slot.startedAt.getAcquire();
            Placement.Adaptive placement = slot.placement;
            if (started != 0
                    && placement != null
                    && now - started > placement.slowNanos()
                    && slot.asleep()
                    && slot.startedAt.getAcquire() == started) {
                placement.demote(now - started, "on an I/O thread, and is still waiting");
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
