package org.a6suite.runner.chain;

import java.util.concurrent.atomic.AtomicInteger;

import org.a6suite.plugin.Execution;

/**
 * Where a plugin's calls run: on the connection's event loop (no thread hop) or on the blocking pool. Fixed for
 * {@link Execution#NON_BLOCKING} and {@link Execution#BLOCKING} plugins; learned for {@link Execution#ADAPTIVE} ones
 * (one {@link Adaptive} per plugin, shared by every route that names it):
 * <ol>
 *   <li>probation: calls run on the pool, each timed from the call to the return of the plugin's callback (its
 *       synchronous part: an asynchronous plugin returning a pending stage is quick); a call longer than
 *       {@link Adaptive#slowNanos()} starts the count over;</li>
 *   <li>after {@value Adaptive#PROBATION_CALLS} quick calls in a row the plugin is promoted: calls run inline;</li>
 *   <li>an inline call found running longer than the threshold, when it returns or by the {@link InlineWatchdog}
 *       while it is still stuck on an event loop, demotes the plugin to the pool for good.</li>
 * </ol>
 * So a plugin that blocks on its first calls never runs on an event loop, and one that starts blocking later holds
 * up only the connections of the one loop it was on, for that one call, while its other calls go to the pool from
 * the watchdog's next tick on.
 */
public sealed interface Placement {

    /** Whether the next call should run on the event loop. */
    boolean inline();

    /** Records how long a call's synchronous part took ({@code onPool}: where it ran). */
    void record(long nanos, boolean onPool);

    /** Always on the event loop. */
    Placement EVENT_LOOP = new Fixed(true);

    /** Always on the blocking pool. */
    Placement POOL = new Fixed(false);

    static Placement of(Execution execution, String pluginName, long slowNanos) {
        return switch (execution) {
            case NON_BLOCKING -> EVENT_LOOP;
            case BLOCKING -> POOL;
            case ADAPTIVE -> new Adaptive(pluginName, slowNanos);
        };
    }

    /** A fixed placement. */
    record Fixed(boolean inline) implements Placement {
        @Override
        public void record(long nanos, boolean onPool) {
        }
    }

    /** A learned placement; thread-safe (every event loop and pool thread records into it). */
    final class Adaptive implements Placement {

        /** Quick calls on the pool before a plugin runs inline. */
        public static final int PROBATION_CALLS = 64;

        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Placement.class);
        private static final int DEMOTED = -1;
        private static final int PROMOTED = PROBATION_CALLS;

        private final String pluginName;
        private final long slowNanos;
        /** Quick calls seen so far (PROMOTED once inline), or DEMOTED. */
        private final AtomicInteger quickCalls = new AtomicInteger();

        Adaptive(String pluginName, long slowNanos) {
            this.pluginName = pluginName;
            this.slowNanos = slowNanos;
        }

        /** A call whose synchronous part runs longer than this is blocking. */
        public long slowNanos() {
            return slowNanos;
        }

        @Override
        public boolean inline() {
            return quickCalls.get() == PROMOTED; // a plain load on x86
        }

        /** Whether the plugin has been seen to block. */
        public boolean demoted() {
            return quickCalls.get() == DEMOTED;
        }

        @Override
        public void record(long nanos, boolean onPool) {
            int seen = quickCalls.get();
            if (seen == DEMOTED || seen == PROMOTED && onPool) {
                return; // decided; a call still in flight on the pool when the plugin was promoted changes nothing
            }
            if (nanos > slowNanos) {
                if (onPool) {
                    // Probation starts over: a cold start (class loading, a first connection) is slow once, a
                    // blocking plugin keeps being slow and never collects its quick calls.
                    quickCalls.compareAndSet(seen, 0);
                } else {
                    demote(nanos, "on an I/O thread");
                }
                return;
            }
            if (onPool && quickCalls.compareAndSet(seen, seen + 1) && seen + 1 == PROMOTED) {
                LOG.debug("plugin {} answered {} calls in a row quickly: now called on the I/O threads", pluginName,
                        PROBATION_CALLS);
            }
        }

        /** Moves the plugin to the pool for good. */
        void demote(long nanos, String where) {
            if (quickCalls.getAndSet(DEMOTED) != DEMOTED) {
                LOG.warn("plugin {} blocked for {} ms {}: its calls run on the blocking pool from now on", pluginName,
                        nanos / 1_000_000, where);
            }
        }

        @Override
        public String toString() {
            int seen = quickCalls.get();
            return "Adaptive[" + pluginName + ", " + (seen == DEMOTED ? "pool" : seen == PROMOTED ? "inline"
                    : "probation " + seen + "/" + PROBATION_CALLS) + "]";
        }
    }
}
