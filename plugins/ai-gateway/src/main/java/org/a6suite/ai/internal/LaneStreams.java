package org.a6suite.ai.internal;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.Usage;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.Ticker;

/**
 * Chat streams on the lane: opens the provider stream (with the same fallback chain as whole answers) and commits a
 * {@link StreamRelay} as the lane's streamed body once the first chunk arrived; a call that fails before that is
 * answered whole, like invoke mode. A client gone before the head aborts the provider work and is accounted as 499.
 */
final class LaneStreams {

    private final StreamingInvoker streaming;
    private final Answers answers;
    private final Accounting accounting;
    private final org.a6suite.http.SecretRedactor redactor;
    private final Ticker ticker;

    LaneStreams(
            StreamingInvoker streaming,
            Answers answers,
            Accounting accounting,
            org.a6suite.http.SecretRedactor redactor,
            Ticker ticker) {
        this.streaming = streaming;
        this.answers = answers;
        this.accounting = accounting;
        this.redactor = redactor;
        this.ticker = ticker;
    }

    CompletionStage<LaneResponse> open(ParsedCall call, AiGatewayConfig config, CallContext context, long start) {
        Invoker.CallRecord record = new Invoker.CallRecord();
        Deadline total = Deadline.ofTimeout(ticker, config.timeouts().total());
        CompletableFuture<StreamingInvoker.Opened> opening =
                streaming.open(config, call.ordered(), call.request().tree(), record, total);
        CompletableFuture<LaneResponse> result = new CompletableFuture<>();
        opening.whenComplete((opened, error) -> {
            if (error != null) {
                long latency = (ticker.nanoTime() - start) / 1_000_000;
                RequestDecision decision;
                try {
                    decision = answers.failure(call, config, context, Invoker.unwrap(error), record, latency);
                } catch (RuntimeException unexpected) {
                    decision = new ApiError(
                                    500,
                                    "internal error in the AI gateway",
                                    "server_error",
                                    Optional.empty(),
                                    "internal_error")
                            .toStop();
                }
                result.complete(whole(decision));
                return;
            }
            Target target = opened.runtime().target();
            StreamRelay relay = new StreamRelay(
                    opened,
                    new StreamRelay.CallInfo(
                            Answers.routeId(context),
                            context.requestId(),
                            call.requestedModel(),
                            call.request().tree(),
                            record.attempts(),
                            start,
                            config.log().enabled(),
                            config.log().includeContent()),
                    accounting,
                    total,
                    ticker,
                    streaming.scheduler(),
                    redactor);
            Headers headers = Headers.of(
                    "content-type", "text/event-stream",
                    "cache-control", "no-cache",
                    "x-accel-buffering", "no",
                    "x-a6-ai-target", target.id(),
                    "x-a6-ai-provider", target.type().wireName(),
                    "x-a6-ai-model", target.model(),
                    "x-a6-ai-attempts", Integer.toString(record.attempts().size()),
                    "x-a6-ai-ttft-ms", Long.toString(opened.ttftNanos() / 1_000_000));
            if (!result.complete(LaneResponse.streamed(200, headers, relay))) {
                relay.cancel(); // the client went away as the stream was committed
            }
        });
        cancelWith(result, opening);
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                // The client went away before the first token: nothing was streamed, nothing more is paid.
                accounting.record(
                        new CallFacts(
                                Answers.asked(call, context),
                                Optional.empty(),
                                new CallFacts.Result(
                                        499,
                                        "cancelled",
                                        Usage.NONE,
                                        (ticker.nanoTime() - start) / 1_000_000,
                                        record.attempts()),
                                Optional.empty()),
                        config.log().enabled());
            }
        });
        return result;
    }

    /** The client going away before the head cancels the lane's stage: abort the provider work behind it. */
    static void cancelWith(CompletableFuture<LaneResponse> result, CompletableFuture<?> work) {
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                work.cancel(true);
            }
        });
    }

    /** A Stop as the lane's whole answer: the same status, headers and body. */
    static LaneResponse whole(RequestDecision decision) {
        RequestDecision.Stop stop = (RequestDecision.Stop) decision;
        Headers headers = stop.headers();
        if (!headers.contains("content-type")) {
            headers = headers.plus("content-type", "text/plain; charset=utf-8");
        }
        return LaneResponse.whole(stop.status(), headers, stop.body().orElse(Body.EMPTY));
    }
}
