package org.a6suite.ai.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Mode;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.resilience.Ticker;

/**
 * Handles one request: validates it ({@link CallParser}), then by mode rewrites it for APISIX ({@link Passthrough}),
 * hands it to the lane, or invokes the targets ({@link Invoker}) and answers ({@link Answers}); on the lane, chat
 * streams go to {@link LaneStreams}. Holds no per-call state in fields.
 */
public final class Gateway {

    private final Invoker invoker;
    private final Ticker ticker;
    private final CallParser parser;
    private final Answers answers;
    private final Passthrough passthrough;
    private final LaneStreams streams;

    public Gateway(
            RuntimeRegistry runtimes,
            Router router,
            Invoker invoker,
            StreamingInvoker streaming,
            Credentials credentials,
            Accounting accounting,
            Ticker ticker) {
        this.invoker = invoker;
        this.ticker = ticker;
        org.a6suite.http.SecretRedactor redactor = new org.a6suite.http.SecretRedactor(credentials::knownSecrets);
        this.parser = new CallParser(runtimes, router);
        this.answers = new Answers(accounting, redactor, ticker);
        this.passthrough = new Passthrough(credentials);
        this.streams = new LaneStreams(streaming, answers, accounting, redactor, ticker);
    }

    public CompletionStage<RequestDecision> handle(RequestView view, AiGatewayConfig config, CallContext context) {
        long start = ticker.nanoTime();
        try {
            if (config.prompt().isEmpty()
                    && view.method() == HttpMethod.GET
                    && view.path().endsWith("/models")) {
                return CompletableFuture.completedFuture(Answers.models(config));
            }
            ParsedCall call = parser.parse(view, config);
            if (config.mode() == Mode.PASSTHROUGH) {
                return passthrough.rewrite(call, config);
            }
            if (config.mode() == Mode.LANE) {
                // Validated: the lane does the work (and may stream, and take longer than APISIX waits for A6).
                return CompletableFuture.completedFuture(
                        RequestDecision.rewrite().toLane().build());
            }
            return invoke(call, config, context, start);
        } catch (ApiError.Failure failure) {
            return CompletableFuture.completedFuture(failure.error().toStop());
        }
    }

    /**
     * Serves a request handed to the runner's HTTP lane: whole answers exactly as invoke mode answers them (same
     * headers and bodies), and chat calls with {@code stream: true} as a stream relayed as the provider sends it.
     * The request is parsed again (it was validated in pre-req; parsing is cheap and the lane trusts nothing it
     * did not read). Cancelling the returned stage (the client went away before the head) aborts provider calls.
     */
    public CompletionStage<LaneResponse> lane(RequestView view, AiGatewayConfig config, CallContext context) {
        long start = ticker.nanoTime();
        try {
            if (config.prompt().isEmpty()
                    && view.method() == HttpMethod.GET
                    && view.path().endsWith("/models")) {
                return CompletableFuture.completedFuture(LaneStreams.whole(Answers.models(config)));
            }
            ParsedCall call = parser.parse(view, config);
            if (call.stream() && config.prompt().isEmpty()) {
                return streams.open(call, config, context, start);
            }
            Invoker.CallRecord record = new Invoker.CallRecord();
            CompletableFuture<Invoker.Success> inflight =
                    invoker.invoke(config, call.ordered(), call.operation(), call.request(), false, record);
            CompletableFuture<LaneResponse> result = new CompletableFuture<>();
            inflight.handle((success, error) -> result.complete(
                    LaneStreams.whole(answers.decide(call, config, context, start, record, success, error))));
            LaneStreams.cancelWith(result, inflight);
            return result;
        } catch (ApiError.Failure failure) {
            return CompletableFuture.completedFuture(
                    LaneStreams.whole(failure.error().toStop()));
        }
    }

    private CompletionStage<RequestDecision> invoke(
            ParsedCall call, AiGatewayConfig config, CallContext context, long start) {
        Invoker.CallRecord record = new Invoker.CallRecord();
        return invoker.invoke(config, call.ordered(), call.operation(), call.request(), call.stream(), record)
                .handle((success, error) -> answers.decide(call, config, context, start, record, success, error));
    }
}
