package org.a6suite.runner.transport;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.runner.conf.ChainPreparationException;
import org.a6suite.runner.conf.PreparedChain;
import org.a6suite.runner.logging.LogText;
import org.a6suite.runner.metrics.RunnerMetrics.CallResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PrepareConf: the route's plugin configuration parsed and validated on the blocking pool (a plugin's config
 * parsing may be slow), the prepared chain stored under a new token. An unknown plugin or an invalid config is Err
 * BAD_REQUEST (APISIX answers 503), any other failure or a saturated pool Err SERVICE_UNAVAILABLE; each with a
 * rate-limited WARN whose APISIX-provided text is escaped.
 */
final class ConfPreparation {

    private static final Logger LOG = LoggerFactory.getLogger(ConfPreparation.class);
    private static final ErrorResponse BAD_REQUEST = new ErrorResponse(ErrorResponse.Code.BAD_REQUEST);
    private static final ErrorResponse UNAVAILABLE = new ErrorResponse(ErrorResponse.Code.SERVICE_UNAVAILABLE);

    /** The reply to send and how the call is counted. */
    record Outcome(A6Message reply, CallResult result) {}

    private final ConnectionServices services;

    ConfPreparation(ConnectionServices services) {
        this.services = requireNonNull(services, "services");
    }

    /**
     * Prepares {@code request} on the blocking pool and hands the outcome to {@code done} on {@code home} (the
     * connection's event loop); when the pool refuses the task, {@code done} runs at once on the calling thread.
     */
    void prepare(PrepareConfRequest request, Executor home, Consumer<Outcome> done) {
        try {
            services.blocking().execute(() -> {
                Outcome outcome = prepareNow(request);
                home.execute(() -> done.accept(outcome));
            });
        } catch (RejectedExecutionException e) {
            services.warnings()
                    .warn(
                            "blocking_pool_saturated",
                            "PrepareConf for {} refused: the blocking pool is saturated",
                            routeKey(request));
            done.accept(new Outcome(UNAVAILABLE, CallResult.FAILURE));
        }
    }

    private Outcome prepareNow(PrepareConfRequest request) {
        try {
            PreparedChain chain = services.preparer().prepare(request.key(), request.conf());
            long token = services.tokens().register(chain);
            if (LOG.isDebugEnabled()) {
                LOG.debug("prepared token {} for {} with {}", token, routeKey(request), chain.links());
            }
            return new Outcome(new PrepareConfResponse(token), CallResult.OK);
        } catch (ChainPreparationException e) {
            // The message names the route key, the plugin and the field, all from APISIX: escaped.
            services.warnings()
                    .warn(
                            "prepare_rejected",
                            "PrepareConf rejected (Err BAD_REQUEST, APISIX answers 503): {}",
                            LogText.escape(e.getMessage(), 1024));
            return new Outcome(BAD_REQUEST, CallResult.BAD_REQUEST);
        } catch (RuntimeException e) {
            services.warnings()
                    .warn(
                            "prepare_failed",
                            "PrepareConf failed for {} (Err SERVICE_UNAVAILABLE)",
                            routeKey(request),
                            LogText.escapeThrowable(e));
            return new Outcome(UNAVAILABLE, CallResult.FAILURE);
        }
    }

    /** The route key for a log line: it comes from APISIX, so it is escaped. */
    private static String routeKey(PrepareConfRequest request) {
        return LogText.escape(request.key().orElse("<no key>"));
    }
}
