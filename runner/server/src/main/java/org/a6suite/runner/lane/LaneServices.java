package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executor;
import org.a6suite.runner.conf.ConfTokenStore;
import org.a6suite.runner.transport.InFlightCalls;

/**
 * What every lane connection shares: all thread-safe, all created once by the runner.
 *
 * @param tokens       the runner's configuration-token store (the same one PrepareConf fills)
 * @param signer       checks handoffs with this process's key
 * @param blocking     where {@code Execution.BLOCKING} plugins' {@code onLane} runs; never an event loop
 * @param metrics      the lane's metrics
 * @param exchanges    requests being answered (head not yet sent, or a stream not yet ended), for shutdown
 * @param maxBodyBytes the largest request body accepted; a larger one is answered 413
 * @param idleTimeout  a connection that sends nothing this long while no answer is in progress is closed (a
 *                     half-sent request, a forgotten connection); longer than nginx's upstream keep-alive timeout
 *                     (60 s in APISIX), so nginx, not the lane, closes idle pooled connections and never sends a
 *                     request on one the lane is closing
 */
public record LaneServices(
        ConfTokenStore tokens,
        HandoffSigner signer,
        Executor blocking,
        LaneMetrics metrics,
        InFlightCalls exchanges,
        int maxBodyBytes,
        Duration idleTimeout) {
    public LaneServices {
        requireNonNull(tokens, "tokens");
        requireNonNull(signer, "signer");
        requireNonNull(blocking, "blocking");
        requireNonNull(metrics, "metrics");
        requireNonNull(exchanges, "exchanges");
        requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: positive)");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 0)");
        }
    }
}
