package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * Records the outcome of one call to an upstream node (an AI provider, an MCP tool backend, a post-resp upstream)
 * so the runner's health reporter can publish it for the backend optimizer.
 */
@FunctionalInterface
public interface OutcomeRecorder {

    OutcomeRecorder NOOP = outcome -> {};

    void record(Outcome outcome);

    /** How a call ended. */
    enum Result {
        SUCCESS,
        HTTP_4XX,
        HTTP_5XX,
        TIMEOUT,
        CONNECT_ERROR,
        OTHER_ERROR
    }

    /**
     * One call.
     *
     * @param upstreamKey the APISIX key of the upstream relative to the prefix ({@code upstreams/1},
     *                    {@code routes/7}) or a runner-side name such as {@code ai/openai-main}
     * @param node        {@code host:port}
     * @param status      the HTTP status, if a response arrived
     * @param latency     time to the complete response (or the failure)
     * @param result      the classified result
     */
    record Outcome(String upstreamKey, String node, Optional<Integer> status, Duration latency, Result result) {
        public Outcome {
            requireNonNull(upstreamKey, "upstreamKey");
            requireNonNull(node, "node");
            requireNonNull(status, "status");
            requireNonNull(latency, "latency");
            requireNonNull(result, "result");
        }

        public static Result classify(int status) {
            if (status >= 500) {
                return Result.HTTP_5XX;
            }
            return status >= 400 ? Result.HTTP_4XX : Result.SUCCESS;
        }
    }
}
