package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Brings one exchange's signals (the plugin's stage, a publisher's Reactive Streams signals) onto its connection's
 * event loop, in order and never nested. A signal that already arrives on the loop runs at once, without the hop,
 * when nothing posted earlier is still queued (order is kept) and the loop is not inside a signal of this exchange
 * or a guarded call such as {@code request(n)} (no recursion into {@code onNext} on the same stack); any other is
 * posted behind what is queued. Not thread-safe except {@link #signal}: everything else runs on the loop.
 */
final class LoopSignals {

    private final EventExecutor loop;
    /** Signals posted to the loop and not yet run; any thread increments, the loop decrements. */
    private final AtomicInteger queued = new AtomicInteger();
    /** The loop is inside a signal or a guarded call: a nested signal is posted. */
    private boolean handling;

    LoopSignals(EventExecutor loop) {
        this.loop = requireNonNull(loop, "loop");
    }

    /** Runs {@code task} on the loop: at once when that is safe (see the class doc), else posted. Any thread. */
    void signal(Runnable task) {
        if (!handling && queued.get() == 0 && loop.inEventLoop()) {
            guarded(task);
            return;
        }
        queued.incrementAndGet();
        loop.execute(() -> {
            queued.decrementAndGet();
            guarded(task);
        });
    }

    /** Runs {@code task} on the loop's stack; signals it causes on this stack are posted, not nested. */
    void guarded(Runnable task) {
        boolean outer = !handling;
        handling = true;
        try {
            task.run();
        } finally {
            if (outer) {
                handling = false;
            }
        }
    }
}
