package org.a6suite.runner.chain;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.runner.conf.ChainLink;
import org.a6suite.runner.conf.PreparedChain;

/**
 * Runs prepared chains for calls. The outcome of a request run is {@link RequestDecision.Proceed}, the first
 * {@link RequestDecision.Stop}, or one merged {@link RequestDecision.Rewrite} (with the link that asked for a lane
 * handoff, if one did: see {@link RequestOutcome}); of a response run
 * {@link ResponseDecision.Pass} or one merged {@link ResponseDecision.Modify}. A failing plugin completes the
 * future with a {@link ChainFailure}.
 */
public final class ChainExecutor {

    private final Executor blocking;
    private final InlineWatchdog watchdog;

    /**
     * @param blocking where {@code Execution.BLOCKING} plugins (and adaptive ones not placed inline) run; never an
     *                 event loop
     * @param watchdog watches adaptive plugins' calls on the event loops
     */
    public ChainExecutor(Executor blocking, InlineWatchdog watchdog) {
        this.blocking = requireNonNull(blocking, "blocking");
        this.watchdog = requireNonNull(watchdog, "watchdog");
    }

    /**
     * Runs the request phase. Must be called on {@code home}, where every continuation also runs.
     *
     * @param home the executor that owns the call (the connection's event loop)
     */
    public CompletableFuture<RequestOutcome> runRequest(
            PreparedChain chain, RequestView request, CallContext context, Executor home) {
        requireNonNull(request, "request");
        return new RequestRun(chain, request, context, home, blocking, watchdog).start();
    }

    /** Runs the response phase; same threading as {@link #runRequest}. */
    public CompletableFuture<ResponseDecision> runResponse(
            PreparedChain chain, ResponseView response, CallContext context, Executor home) {
        requireNonNull(response, "response");
        return new ResponseRun(chain, response, context, home, blocking, watchdog).start();
    }

    private static final class RequestRun extends ChainRun<RequestDecision, RequestOutcome> {
        private final RewriteMerger merger = new RewriteMerger();
        /** The position of the chain's last link: its rewrite is merged, but no later plugin reads the view. */
        private final int lastIndex;

        private RequestView view;

        RequestRun(
                PreparedChain chain,
                RequestView view,
                CallContext context,
                Executor home,
                Executor blocking,
                InlineWatchdog watchdog) {
            super(chain.links(), context, home, blocking, watchdog);
            this.lastIndex = chain.links().size() - 1;
            this.view = view;
        }

        @Override
        CompletionStage<RequestDecision> call(ChainLink<?> link, CallContext context) {
            return link.onRequest(view, context);
        }

        @Override
        RequestOutcome apply(int index, ChainLink<?> link, RequestDecision decision) {
            return switch (decision) {
                case RequestDecision.Proceed p -> null;
                case RequestDecision.Stop stop -> RequestOutcome.of(stop);
                case RequestDecision.Rewrite rewrite -> {
                    merger.merge(rewrite, index);
                    if (index < lastIndex) {
                        view = RewriteMerger.view(view, rewrite);
                    }
                    yield null;
                }
            };
        }

        @Override
        RequestOutcome finish() {
            return merger.result();
        }
    }

    private static final class ResponseRun extends ChainRun<ResponseDecision, ResponseDecision> {
        private ResponseView view;
        private OptionalInt status = OptionalInt.empty();
        private Optional<Headers> headers = Optional.empty();
        private Optional<Body> body = Optional.empty();
        private boolean modified;

        ResponseRun(
                PreparedChain chain,
                ResponseView view,
                CallContext context,
                Executor home,
                Executor blocking,
                InlineWatchdog watchdog) {
            super(chain.links(), context, home, blocking, watchdog);
            this.view = view;
        }

        @Override
        CompletionStage<ResponseDecision> call(ChainLink<?> link, CallContext context) {
            return link.onResponse(view, context);
        }

        @Override
        ResponseDecision apply(int index, ChainLink<?> link, ResponseDecision decision) {
            if (decision instanceof ResponseDecision.Modify modify) {
                // Later plugins win per field, and see the response as modified so far.
                modified = true;
                if (modify.status().isPresent()) {
                    status = modify.status();
                }
                if (modify.headers().isPresent()) {
                    headers = modify.headers();
                }
                if (modify.body().isPresent()) {
                    body = modify.body();
                }
                view = new ResponseView(
                        status.orElse(view.status()),
                        headers.orElse(view.headers()),
                        view.vars(),
                        body.isPresent() ? body : view.body());
            }
            return null;
        }

        @Override
        ResponseDecision finish() {
            return modified ? new ResponseDecision.Modify(status, headers, body) : ResponseDecision.pass();
        }
    }
}
