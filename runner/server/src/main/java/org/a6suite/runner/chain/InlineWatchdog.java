package org.a6suite.runner.chain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Notices an {@link Placement.Adaptive} plugin stuck in a call on an event loop and demotes it while the call is
 * still running, so that its next calls, on this loop's neighbours, go to the pool instead of blocking them too.
 *
 * <p>Each event-loop thread owns one {@link Slot}, written only by that thread (per inline call one volatile and two
 * cheaper stores and one volatile read, no allocation) and read by one scheduled check every {@code period}: the
 * check costs one wake-up per period for the whole runner, not one per call. It runs only while adaptive plugins run
 * inline: after {@link #IDLE_CHECKS_BEFORE_PARKING} checks in a row that saw no inline call it stops, and the next
 * inline call starts it again. Without that, an idle runner woke 100 times a second for nothing once one filter had
 * been promoted (measured: 1.3% of a core on the 2-core benchmark machine, 260 ms of CPU in 20 idle seconds).
 *
 * <p>Stopping and starting cannot lose a call: a call publishes its start (volatile store) before it reads whether
 * the check runs (volatile read); the check, when it stops, clears that flag (volatile store) before it looks at
 * every slot again (volatile reads). Either the call sees the check stopped and starts it, or the check sees the
 * call and starts itself again; both may, and only one schedules.
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

    /** Checks in a row that saw no inline call before the periodic check stops (half a second at 10 ms). */
    static final int IDLE_CHECKS_BEFORE_PARKING = 50;

    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> mine = ThreadLocal.withInitial(this::newSlot);
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService scheduler;
    private final long periodMillis;
    /** The longest gap between two checks that counts as steady. */
    private final long steadyGapNanos;
    /** When the last check ran (only {@link #check()} touches it); 0: never, so the first check is not steady. */
    private long lastCheck;

    /** Whether the periodic check is scheduled (or being scheduled): a call that finds it false schedules it. */
    private final AtomicBoolean checking = new AtomicBoolean();
    /** Checks in a row that saw no inline call (only {@link #check()} touches it). */
    private int idleChecks;

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
        Slot slot = new Slot(this);
        slots.add(slot);
        return slot;
    }

    /** Whether the periodic check is scheduled. */
    boolean checking() {
        return checking.get();
    }

    /** Called by a call that found the check stopped: schedules it unless another call or the check itself did. */
    void wake() {
        if (scheduler != null && checking.compareAndSet(false, true)) {
            schedule();
        }
    }

    private synchronized void schedule() {
        if (!closed && task == null) {
            lastCheck = nanoTime.getAsLong(); // the first check after a restart counts as steady
            idleChecks = 0;
            task = scheduler.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the periodic check, then starts it again if a call began meanwhile (see the class comment). */
    synchronized void park() {
        checking.set(false);
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        for (Slot slot : slots) {
            if (slot.startedAt.get() != 0) {
                wake();
                return;
            }
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
        boolean sawCalls = false;
        for (Slot slot : slots) {
            long started = slot.startedAt.getAcquire();
            long entered = slot.entered.getOpaque();
            sawCalls |= started != 0 || entered != slot.seenEntered;
            slot.seenEntered = entered;
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
        idleChecks = sawCalls ? 0 : idleChecks + 1;
        if (idleChecks >= IDLE_CHECKS_BEFORE_PARKING && task != null) {
            park();
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
        private final InlineWatchdog watchdog;
        private final AtomicLong startedAt = new AtomicLong();
        /** Calls entered so far (written by the slot's thread only): tells the check that calls came and went. */
        private final AtomicLong entered = new AtomicLong();

        private final Optional<Path> stat = ownStat();
        private volatile Placement.Adaptive placement;
        /** The start of the call the last check found blocking (0: none); only {@link #check()} touches it. */
        private long suspected;
        /** {@link #entered} as the last check saw it; only {@link #check()} touches it. */
        private long seenEntered;

        private Slot(InlineWatchdog watchdog) {
            this.watchdog = watchdog;
        }

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
            entered.setOpaque(entered.getPlain() + 1);
            startedAt.set(now == 0 ? 1 : now); // volatile: ordered before the read below (see the class comment)
            if (!watchdog.checking.get()) {
                watchdog.wake();
            }
        }

        void exit() {
            startedAt.setRelease(0);
        }
    }
}
