package org.a6suite.resilience.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.a6suite.resilience.Scheduler;

/**
 * A {@link Scheduler} on a {@link ManualTicker}: tasks run on the test's thread when the test advances time, in due
 * order, with the ticker set to each task's due time while it runs (so a task that schedules another one sees the
 * right time). Thread-safe for scheduling; {@link #advance} is meant to be called from one test thread.
 */
public final class ManualScheduler implements Scheduler {

    private record Entry(long dueNanos, long sequence, Runnable task, boolean[] cancelled) {}

    private final ManualTicker ticker;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> {
        int byDue = Long.compare(a.dueNanos - b.dueNanos, 0);
        return byDue != 0 ? byDue : Long.compare(a.sequence, b.sequence);
    });
    private long sequence;

    public ManualScheduler(ManualTicker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
    }

    /** The ticker this scheduler moves. */
    public ManualTicker ticker() {
        return ticker;
    }

    @Override
    public synchronized Task schedule(Runnable task, Duration delay) {
        requireNonNull(task, "task");
        requireNonNull(delay, "delay");
        long delayNanos = Math.max(0, delay.toNanos());
        boolean[] cancelled = {false};
        Entry entry = new Entry(ticker.nanoTime() + delayNanos, sequence++, task, cancelled);
        queue.add(entry);
        return () -> {
            synchronized (ManualScheduler.this) {
                if (cancelled[0] || !queue.contains(entry)) {
                    return false;
                }
                cancelled[0] = true;
                queue.remove(entry);
                return true;
            }
        };
    }

    /** Moves time forward by {@code duration}, running every task that falls due on the way. */
    public void advance(Duration duration) {
        requireNonNull(duration, "duration");
        long target = ticker.nanoTime() + duration.toNanos();
        // Bounded: each iteration removes one task; a task rescheduling itself with zero delay forever is a bug.
        for (int guard = 0; guard < 1_000_000; guard++) {
            Entry next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.dueNanos - target > 0) {
                    break;
                }
                queue.poll();
            }
            long now = ticker.nanoTime();
            if (next.dueNanos - now > 0) {
                ticker.advance(Duration.ofNanos(next.dueNanos - now));
            }
            next.task.run();
        }
        long now = ticker.nanoTime();
        if (target - now > 0) {
            ticker.advance(Duration.ofNanos(target - now));
        }
    }

    /** Moves time forward by {@code millis} milliseconds, running due tasks. */
    public void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }

    /** Runs the tasks already due without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** How many tasks wait to run. */
    public synchronized int pendingTasks() {
        return queue.size();
    }

    /** The delays from now of the waiting tasks, earliest first (for assertions on backoff). */
    public synchronized List<Duration> pendingDelays() {
        List<Entry> entries = new ArrayList<>(queue);
        entries.sort(queue.comparator());
        long now = ticker.nanoTime();
        return entries.stream().map(e -> Duration.ofNanos(e.dueNanos - now)).toList();
    }
}
