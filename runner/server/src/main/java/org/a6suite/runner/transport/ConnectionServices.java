package org.a6suite.runner.transport;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executor;
import org.a6suite.runner.chain.ChainExecutor;
import org.a6suite.runner.conf.ChainPreparer;
import org.a6suite.runner.conf.ConfTokenStore;
import org.a6suite.runner.config.ConnectionLimits;
import org.a6suite.runner.lane.HandoffStamper;
import org.a6suite.runner.logging.RateLimitedLog;
import org.a6suite.runner.metrics.RunnerMetrics;

/**
 * What every connection handler shares: all thread-safe, all created once by the server.
 *
 * @param tokens      the configuration-token store
 * @param preparer    parses PrepareConf entries into chains
 * @param chains      runs chains for calls
 * @param blocking    the bounded pool for blocking work (PrepareConf parsing, blocking plugins)
 * @param inFlight    calls not yet answered, for graceful shutdown
 * @param metrics     the runner's counters
 * @param idleTimeout how long a connection may sit inside a frame (or owe ExtraInfo answers) before it is closed
 * @param handoffs    stamps lane handoffs on pre-req replies and strips client copies
 * @param warnings    the rate-limited WARN lines a peer can provoke (one per kind per interval)
 * @param limits      connections, buffered bytes and frame time per peer
 * @param budget      the bytes reserved by incomplete frames, shared by all connections
 */
public record ConnectionServices(
        ConfTokenStore tokens,
        ChainPreparer preparer,
        ChainExecutor chains,
        Executor blocking,
        InFlightCalls inFlight,
        RunnerMetrics metrics,
        Duration idleTimeout,
        HandoffStamper handoffs,
        RateLimitedLog warnings,
        ConnectionLimits limits,
        BufferBudget budget) {
    public ConnectionServices {
        requireNonNull(tokens, "tokens");
        requireNonNull(preparer, "preparer");
        requireNonNull(chains, "chains");
        requireNonNull(blocking, "blocking");
        requireNonNull(inFlight, "inFlight");
        requireNonNull(metrics, "metrics");
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(handoffs, "handoffs");
        requireNonNull(warnings, "warnings");
        requireNonNull(limits, "limits");
        requireNonNull(budget, "budget");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: positive)");
        }
    }
}
