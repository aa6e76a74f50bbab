package org.a6suite.ai.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.Adapters;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.ai.internal.provider.ProviderAdapter;
import org.a6suite.ai.internal.provider.ProviderRequest;
import org.a6suite.ai.internal.stream.ProviderStream;
import org.a6suite.ai.internal.stream.StreamingTransport;
import org.a6suite.resilience.AttemptListener;
import org.a6suite.resilience.Attempts;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.DeadlineCall;
import org.a6suite.resilience.DeadlineExceededException;
import org.a6suite.resilience.Deadlines;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import tools.jackson.databind.node.ObjectNode;

/**
 * Opens a chat stream for one request with the resilience toolkit's decorators, composed per target as in
 * {@link Invoker}, except that an attempt succeeds when the first content chunk is in hand (the stream is then
 * committed) and its deadline is the target's adaptive first-token deadline:
 * <pre>
 *   total deadline (until commit; the relay keeps it for the rest of the stream)
 *     └ fallback to the next target not yet started
 *         └ hedge (optional): a second target after the first's observed pN time to first token
 *             └ retry (backoff + jitter, Retry-After, budget)          ── per target
 *                 └ recorded (each attempt into the call's record)
 *                     └ recorded (time to first token into the target's first-token window)
 *                         └ circuit breaker (429s not counted unless breaker.count_rate_limits)
 *                             └ adaptive first-token deadline (clamp(k x pN))
 *                                 └ provider stream: head, then body until the first content chunk
 * </pre>
 * Nothing read from a failed attempt reaches the client: an attempt's chunks stay in its {@link ProviderStream}
 * until it wins. Every stream opened for a call that does not win (a hedge that also succeeded) is cancelled.
 */
public final class StreamingInvoker {

    /** A committed stream and who serves it. */
    public record Opened(TargetRuntime runtime, ProviderStream stream, long ttftNanos) {}

    private final StreamingTransport transport;
    private final Credentials credentials;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Clock clock;

    public StreamingInvoker(
            StreamingTransport transport, Credentials credentials, Ticker ticker, Scheduler scheduler, Clock clock) {
        this.transport = transport;
        this.credentials = credentials;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    public Ticker ticker() {
        return ticker;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The key of stream windows (first token, token gap) and of the router's latency for streams. */
    static String key() {
        return Invoker.operationKey(Operation.CHAT, true);
    }

    /**
     * Opens the stream; cancelling the returned future aborts every attempt in flight.
     *
     * @param deadline the call's total deadline, created by the caller so the relay can keep it
     */
    public CompletableFuture<Opened> open(
            AiGatewayConfig config,
            List<TargetRuntime> ordered,
            ObjectNode request,
            Invoker.CallRecord record,
            Deadline deadline) {
        Chain chain = new Chain(config, ordered, request, record);
        CompletableFuture<Opened> result = new CompletableFuture<>();
        CompletableFuture<Opened> inner;
        if (deadline.isExpired()) {
            inner = CompletableFuture.failedFuture(
                    new DeadlineExceededException(DeadlineExceededException.Scope.TOTAL, Duration.ZERO));
        } else {
            DeadlineCall<Opened> total = Deadlines.withTotalTimeout(
                    chain.call(), deadline.isInfinite() ? Deadline.INFINITE : deadline.remaining(), scheduler);
            inner = total.call(deadline).toCompletableFuture();
        }
        inner.whenComplete((opened, error) -> {
            chain.closeLosers(opened);
            if (error != null) {
                result.completeExceptionally(Invoker.unwrap(error));
            } else if (!result.complete(opened)) {
                opened.stream().cancel();
            }
        });
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                inner.cancel(true);
                chain.closeLosers(null);
            }
        });
        return result;
    }

    private final class Chain {
        private final AiGatewayConfig config;
        private final List<TargetRuntime> ordered;
        private final ObjectNode request;
        private final Invoker.CallRecord record;
        private final List<ProviderStream> streams = new ArrayList<>(2);

        Chain(AiGatewayConfig config, List<TargetRuntime> ordered, ObjectNode request, Invoker.CallRecord record) {
            this.config = config;
            this.ordered = ordered;
            this.request = request;
            this.record = record;
        }

        /** Cancels every stream of this call but the winner's. */
        void closeLosers(Opened winner) {
            List<ProviderStream> all;
            synchronized (streams) {
                all = List.copyOf(streams);
            }
            for (ProviderStream s : all) {
                if (winner == null || s != winner.stream()) {
                    s.cancel();
                }
            }
        }

        DeadlineCall<Opened> call() {
            return new TargetChain<Opened>(
                            ordered,
                            this::perTarget,
                            config.hedge(),
                            primary -> primary.firstToken()
                                    .percentile(key(), config.hedge().percentile())
                                    .orElse(config.timeouts().firstToken().warmup()),
                            scheduler)
                    .from(0);
        }

        private DeadlineCall<Opened> perTarget(TargetRuntime runtime) {
            Target target = runtime.target();
            DeadlineCall<Opened> http = deadline -> attempt(runtime, deadline);
            DeadlineCall<Opened> timed =
                    Deadlines.withAttemptTimeout(http, runtime.firstToken().timeoutFor(key()), scheduler);
            DeadlineCall<Opened> guarded = runtime.breaker()
                    .map(b -> b.decorate(timed, Invoker.breakerClassifier(config.breaker())))
                    .orElse(timed);
            AttemptListener ttft = runtime.firstToken().recorder(key());
            AttemptListener latency = runtime.latency().recorder(key());
            DeadlineCall<Opened> measured =
                    Attempts.recorded(guarded, target.id(), Invoker.CLASSIFIER, ticker, event -> {
                        ttft.onAttempt(event);
                        latency.onAttempt(event); // the router's latency strategy reads it
                    });
            return runtime.retry()
                    .decorate(Invoker.recordedInCall(measured, target, record, ticker), Invoker.CLASSIFIER);
        }

        private CompletableFuture<Opened> attempt(TargetRuntime runtime, Deadline deadline) {
            Target target = runtime.target();
            ProviderAdapter adapter = Adapters.of(target.type());
            CompletableFuture<Opened> result = new CompletableFuture<>();
            credentials.resolve(target).whenComplete((key, keyError) -> {
                if (keyError != null) {
                    result.completeExceptionally(Invoker.unwrap(keyError));
                    return;
                }
                if (result.isDone()) {
                    return;
                }
                ProviderRequest providerRequest;
                try {
                    providerRequest = adapter.streamRequest(target, request, key);
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                    return;
                }
                long start = ticker.nanoTime();
                CompletableFuture<ProviderStream> open = ProviderStream.open(
                        transport, providerRequest, adapter.translator(target), deadline.remaining(), clock);
                result.whenComplete((v, e) -> {
                    if (result.isCancelled()) {
                        open.cancel(true);
                    }
                });
                open.whenComplete((stream, error) -> {
                    if (error != null) {
                        result.completeExceptionally(Invoker.unwrap(error));
                        return;
                    }
                    synchronized (streams) {
                        streams.add(stream);
                    }
                    if (!result.complete(new Opened(runtime, stream, ticker.nanoTime() - start))) {
                        stream.cancel();
                    }
                });
            });
            return result;
        }
    }
}
