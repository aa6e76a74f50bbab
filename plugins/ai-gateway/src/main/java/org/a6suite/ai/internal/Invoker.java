package org.a6suite.ai.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.Adapters;
import org.a6suite.ai.internal.provider.ClientBody;
import org.a6suite.ai.internal.provider.EncodedChat;
import org.a6suite.ai.internal.provider.OpenAiAnswer;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.ai.internal.provider.ProviderAdapter;
import org.a6suite.ai.internal.provider.ProviderException;
import org.a6suite.ai.internal.provider.ProviderRequest;
import org.a6suite.resilience.AttemptEvent;
import org.a6suite.resilience.Attempts;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.DeadlineCall;
import org.a6suite.resilience.Deadlines;
import org.a6suite.resilience.OutcomeClassifier;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls providers for one request with the resilience toolkit's decorators, composed per target as
 * <pre>
 *   total deadline
 *     └ fallback to the next target not yet started
 *         └ hedge (optional): a second target after the first's observed pN
 *             └ retry (backoff + jitter, Retry-After, budget)          ── per target
 *                 └ recorded (each attempt into the call's record)
 *                     └ circuit breaker (per provider and model)
 *                         └ adaptive attempt deadline (clamp(k x pN))
 *                             └ HTTP call + response mapping
 * </pre>
 * A provider's own rejection of the request (400-class) ends the call: another provider would reject it too.
 */
public final class Invoker {

    /** Provider failures classify themselves; everything else (timeouts, I/O errors) by the toolkit's defaults. */
    static final OutcomeClassifier<Object> CLASSIFIER = (result, error) -> {
        if (error instanceof ProviderException pe) {
            return pe.outcome();
        }
        return OutcomeClassifier.ofDefaults().classify(result, error);
    };

    /**
     * What the breaker counts: as {@link #CLASSIFIER}, except that a 429 is the provider asking for a pause, not a
     * failure of the target, so it releases the breaker's permission without counting unless
     * {@code breaker.count_rate_limits} is set. Retry and fallback still see the 429 as retryable.
     */
    static OutcomeClassifier<Object> breakerClassifier(AiGatewayConfig.BreakerSettings settings) {
        if (settings.countRateLimits()) {
            return CLASSIFIER;
        }
        return (result, error) ->
                error instanceof ProviderException pe && pe.kind() == ProviderException.Kind.RATE_LIMITED
                        ? org.a6suite.resilience.Outcome.ignored()
                        : CLASSIFIER.classify(result, error);
    }

    /**
     * A successful attempt: who answered and the answer in OpenAI's format, either as a tree ({@code body}) or, for
     * a whole chat answer the client gets as it is, already written ({@code encoded}, see {@link OpenAiAnswer});
     * exactly one of the two is set.
     */
    public record Success(TargetRuntime runtime, ObjectNode body, EncodedChat encoded) {

        public Success {
            if ((body == null) == (encoded == null)) {
                throw new IllegalArgumentException("exactly one of body and encoded (expected: one answer)");
            }
        }

        Success(TargetRuntime runtime, ObjectNode body) {
            this(runtime, body, null);
        }

        Success(TargetRuntime runtime, EncodedChat encoded) {
            this(runtime, null, encoded);
        }
    }

    /**
     * The per-call record of attempts; thread-safe because hedged attempts finish on different threads. Held as an
     * immutable list replaced on each add (a call has one attempt, rarely a few): reading it needs no copy.
     */
    public static final class CallRecord {
        private List<AttemptInfo> attempts = List.of();

        public synchronized List<AttemptInfo> attempts() {
            return attempts;
        }

        synchronized void add(AttemptInfo info) {
            if (attempts.isEmpty()) {
                attempts = List.of(info);
            } else {
                List<AttemptInfo> more = new ArrayList<>(attempts.size() + 1);
                more.addAll(attempts);
                more.add(info);
                attempts = List.copyOf(more);
            }
        }
    }

    private final ProviderClient client;
    private final Credentials credentials;
    private final Ticker ticker;
    private final Scheduler scheduler;

    public Invoker(ProviderClient client, Credentials credentials, Ticker ticker, Scheduler scheduler) {
        this.client = client;
        this.credentials = credentials;
        this.ticker = ticker;
        this.scheduler = scheduler;
    }

    /** The latency-window key of an operation: streaming and whole answers are timed apart. */
    public static String operationKey(Operation operation, boolean stream) {
        return operation.label() + (stream ? "-stream" : "");
    }

    public CompletableFuture<Success> invoke(
            AiGatewayConfig config,
            List<TargetRuntime> ordered,
            Operation operation,
            ClientBody request,
            boolean stream,
            CallRecord record) {
        Chain chain = new Chain(config, ordered, operation, request, stream, record);
        DeadlineCall<Success> total =
                Deadlines.withTotalTimeout(chain.call(), config.timeouts().total(), scheduler);
        return total.call(Deadline.never(ticker)).toCompletableFuture();
    }

    /** One call's fallback chain; remembers which targets were started so a hedge is not retried as a fallback. */
    private final class Chain {
        private final AiGatewayConfig config;
        private final List<TargetRuntime> ordered;
        private final Operation operation;
        private final ClientBody request;
        private final boolean stream;
        private final CallRecord record;

        Chain(
                AiGatewayConfig config,
                List<TargetRuntime> ordered,
                Operation operation,
                ClientBody request,
                boolean stream,
                CallRecord record) {
            this.config = config;
            this.ordered = ordered;
            this.operation = operation;
            this.request = request;
            this.stream = stream;
            this.record = record;
        }

        DeadlineCall<Success> call() {
            String key = operationKey(operation, stream);
            return new TargetChain<Success>(
                            ordered,
                            this::perTarget,
                            config.hedge(),
                            primary -> primary.latency()
                                    .percentile(key, config.hedge().percentile())
                                    .orElse(config.timeouts().warmup()),
                            scheduler)
                    .from(0);
        }

        private DeadlineCall<Success> perTarget(TargetRuntime runtime) {
            Target target = runtime.target();
            String key = operationKey(operation, stream);
            DeadlineCall<Success> http = deadline -> attempt(runtime, deadline);
            DeadlineCall<Success> timed =
                    Deadlines.withAttemptTimeout(http, runtime.latency().timeoutFor(key), scheduler);
            DeadlineCall<Success> guarded = runtime.breaker()
                    .map(b -> b.decorate(timed, breakerClassifier(config.breaker())))
                    .orElse(timed);
            DeadlineCall<Success> timedForLatency = Attempts.recorded(
                    guarded, target.id(), CLASSIFIER, ticker, runtime.latency().recorder(key));
            return runtime.retry().decorate(recordedInCall(timedForLatency, target, record, ticker), CLASSIFIER);
        }

        private CompletableFuture<Success> attempt(TargetRuntime runtime, Deadline deadline) {
            Target target = runtime.target();
            ProviderAdapter adapter = Adapters.of(target.type());
            boolean streamed = stream && adapter.streams() && operation == Operation.CHAT;
            // The client gets the provider's answer as it is (no prompt output, no SSE re-encoding, no content in
            // the call log): it can be written in one pass instead of held as a tree.
            boolean encodable = operation == Operation.CHAT
                    && !stream
                    && config.prompt().isEmpty()
                    && !config.log().includeContent();
            CompletableFuture<Success> result = new CompletableFuture<>();
            credentials.resolve(target).whenComplete((key, keyError) -> {
                if (keyError != null) {
                    result.completeExceptionally(unwrap(keyError));
                    return;
                }
                if (result.isDone()) {
                    return;
                }
                ProviderRequest providerRequest;
                try {
                    providerRequest = operation == Operation.CHAT
                            ? adapter.chatRequest(target, request, key, streamed)
                            : adapter.embeddingsRequest(target, request.tree(), key);
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                    return;
                }
                CompletableFuture<ProviderClient.Response> send = client.send(providerRequest, deadline);
                result.whenComplete((v, e) -> {
                    if (result.isCancelled()) {
                        send.cancel(true);
                    }
                });
                send.whenComplete((response, sendError) -> {
                    if (sendError != null) {
                        result.completeExceptionally(unwrap(sendError));
                        return;
                    }
                    try {
                        client.check(response);
                        EncodedChat encoded = encodable ? adapter.encodeChat(target, response.body()) : null;
                        if (encoded != null) {
                            result.complete(new Success(runtime, encoded));
                            return;
                        }
                        ObjectNode body = operation == Operation.CHAT
                                ? adapter.parseChat(target, response.body(), streamed)
                                : adapter.parseEmbeddings(target, response.body());
                        result.complete(new Success(runtime, body));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
            });
            return result;
        }
    }

    /**
     * Adds each attempt to the call's record before the attempt's completion is seen by retry, hedge or
     * fallback, so the record is complete when the call completes (a dependent registered on the attempt
     * itself could run after them: CompletableFuture runs dependents last-registered first).
     */
    static <T> DeadlineCall<T> recordedInCall(DeadlineCall<T> call, Target target, CallRecord record, Ticker ticker) {
        return deadline -> {
            long start = ticker.nanoTime();
            CompletableFuture<T> inner;
            try {
                inner = call.call(deadline).toCompletableFuture();
            } catch (RuntimeException e) {
                inner = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<T> out = new CompletableFuture<>();
            CompletableFuture<T> attempt = inner;
            inner.whenComplete((value, error) -> {
                Throwable cause = error == null ? null : unwrap(error);
                record.add(AttemptInfo.of(
                        target,
                        new AttemptEvent(
                                target.id(),
                                CLASSIFIER.classifySafely(value, cause),
                                Duration.ofNanos(Math.max(0, ticker.nanoTime() - start)),
                                Optional.ofNullable(cause))));
                if (cause == null) {
                    out.complete(value);
                } else {
                    out.completeExceptionally(cause);
                }
            });
            out.whenComplete((value, error) -> {
                if (out.isCancelled()) {
                    attempt.cancel(true);
                }
            });
            return out;
        };
    }

    static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof java.util.concurrent.ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
