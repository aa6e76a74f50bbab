package org.a6suite.plugins.fallback.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.a6suite.http.OutboundException;
import org.a6suite.plugin.OutcomeRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the runner's outcome stream how each attempt went on its node, for the health reporter and the optimizer.
 * A cancelled attempt (a hedge's loser, a client gone) says nothing about the node and is not reported.
 */
final class NodeOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(NodeOutcomes.class);
    /** Kinds that prove the request never reached the backend: safe to send to another node, whatever the method. */
    static final Set<OutboundException.Kind> NEVER_SENT = Set.of(
            OutboundException.Kind.POOL_ACQUIRE_TIMEOUT,
            OutboundException.Kind.CONNECT_FAILED,
            OutboundException.Kind.CONNECT_TIMEOUT,
            OutboundException.Kind.TLS_FAILED);

    private NodeOutcomes() {}

    /** Whether {@code error} is the outbound client giving up waiting (connect, head or body). */
    static boolean isTimeout(Throwable error) {
        return error instanceof OutboundException oe
                && (oe.kind() == OutboundException.Kind.RESPONSE_HEAD_TIMEOUT
                        || oe.kind() == OutboundException.Kind.READ_IDLE_TIMEOUT
                        || oe.kind() == OutboundException.Kind.CONNECT_TIMEOUT);
    }

    static void record(
            ProxyEnvironment env,
            String upstreamKey,
            UpstreamSpec.Node node,
            Optional<Integer> status,
            long t0,
            Throwable error) {
        OutcomeRecorder.Result result;
        if (error == null) {
            result = OutcomeRecorder.Outcome.classify(status.orElse(0));
        } else if (error instanceof TimeoutException || isTimeout(error)) {
            result = OutcomeRecorder.Result.TIMEOUT;
        } else if (error instanceof OutboundException oe && NEVER_SENT.contains(oe.kind())) {
            result = OutcomeRecorder.Result.CONNECT_ERROR;
        } else if (error instanceof OutboundException oe && oe.kind() == OutboundException.Kind.CANCELLED) {
            return;
        } else {
            result = OutcomeRecorder.Result.OTHER_ERROR;
        }
        try {
            env.outcomes()
                    .get()
                    .record(new OutcomeRecorder.Outcome(
                            upstreamKey,
                            node.hostPort(),
                            status,
                            Duration.ofNanos(Math.max(0, env.ticker().nanoTime() - t0)),
                            result));
        } catch (RuntimeException e) {
            LOG.debug("outcome recorder failed", e);
        }
    }
}
