package org.a6suite.runner.chain;

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
 *   <li>an inline call that the {@link InlineWatchdog} finds still waiting (asleep in I/O, a lock or a sleep) past
 *       the threshold on two steady checks in a row (a GC pause is not mistaken for it) demotes the plugin to the
 *       pool: probation again, twice as long
 *       each time (a loaded machine or a GC pause can make a quick call look slow once), and for good after
 *       {@value Adaptive#MAX_DEMOTIONS} demotions.</li>
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
        public void record(long nanos, boolean onPool) {}
    }

    /** A learned placement; thread-safe (every event loop and pool thread records into it). */
    final class Adaptive implements Placement {

        /** Quick calls in a row on the pool before a plugin first runs inline. */
        public static final int PROBATION_CALLS = 64;
        /** After this many demotions the plugin stays on the pool for good. */
        public static final int MAX_DEMOTIONS = 6;

        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Placement.class);

        private final String pluginName;
        private final long slowNanos;
        /** Read on every call: a plain load on x86. */
        private volatile boolean inline;

        private int quickCalls;
        private int demotions;

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
            return inline;
        }

        /** Whether the plugin stays on the pool for good. */
        public synchronized boolean demoted() {
            return demotions >= MAX_DEMOTIONS;
        }

        @Override
        public void record(long nanos, boolean onPool) {
            if (!onPool) {
                // Inline calls are judged by the watchdog, which can tell a thread asleep in a blocking call from
                // one the OS did not run: nothing to learn here, no lock, no write.
                return;
            }
            probationCall(nanos <= slowNanos);
        }

        private synchronized void probationCall(boolean quick) {
            if (inline || demotions >= MAX_DEMOTIONS) {
                return; // a pool call still in flight when the plugin was promoted, or decided for good
            }
            // A slow call starts the count over: a cold start (class loading, a first connection) is slow once, a
            // blocking plugin keeps being slow and never collects its quick calls.
            quickCalls = quick ? quickCalls + 1 : 0;
            if (quickCalls >= PROBATION_CALLS << demotions) {
                inline = true;
                LOG.debug(
                        "plugin {} answered {} calls in a row quickly: now called on the I/O threads",
                        pluginName,
                        quickCalls);
            }
        }

        /**
         * Moves the plugin back to the pool. A plugin that was descheduled or paused by a GC is not blocking, so it
         * gets another probation, twice as long as the last; after {@value #MAX_DEMOTIONS} it stays on the pool.
         */
        synchronized void demote(long nanos, String where) {
            if (!inline) {
                return;
            }
            inline = false;
            quickCalls = 0;
            demotions++;
            if (demotions >= MAX_DEMOTIONS) {
                LOG.warn(
                        "plugin {} blocked for {} ms {}: its calls run on the blocking pool from now on "
                                + "(demoted {} times)",
                        pluginName,
                        nanos / 1_000_000,
                        where,
                        demotions);
            } else {
                LOG.warn(
                        "plugin {} blocked for {} ms {}: its calls run on the blocking pool until {} calls in a row "
                                + "are quick",
                        pluginName,
                        nanos / 1_000_000,
                        where,
                        PROBATION_CALLS << demotions);
            }
        }

        @Override
        public synchronized String toString() {
            return "Adaptive[" + pluginName + ", "
                    + (inline
                            ? "inline"
                            : demotions >= MAX_DEMOTIONS
                                    ? "pool"
                                    : "probation " + quickCalls + "/" + (PROBATION_CALLS << demotions))
                    + "]";
        }
    }
}
