package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundHeaders;
import org.a6suite.http.OutboundRequest;
import org.a6suite.http.OutboundResponse;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.resilience.BreakerConfig;
import org.a6suite.resilience.BreakerRegistry;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.DeadlineCall;
import org.a6suite.resilience.DeadlineExceededException;
import org.a6suite.resilience.Deadlines;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.OutcomeClassifier;
import org.a6suite.resilience.Retry;
import org.a6suite.resilience.RetryConfig;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;

/**
 * Every outbound call of the gateway goes through here: a total deadline, a breaker per target, retries only when
 * the caller says the request is idempotent, and an outcome record for the health reporter. Requests go through the
 * shared {@link OutboundClient}, which never follows redirects (a backend cannot redirect the gateway to another
 * host) and re-sends on its own only a request a stale pooled connection provably never delivered.
 */
public final class Outbound {

    /** A whole answer: status, headers and the body read up to the caller's cap. */
    public record Reply(int status, OutboundHeaders headers, byte[] body) {}

    private final OutboundClient client;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final BreakerRegistry breakers;
    private final OutcomeRecorder outcomes;
    private final Map<Integer, Retry> retries = new ConcurrentHashMap<>();
    /** Retry jitter, shared by every call ({@code Random} is thread-safe). */
    private final Random random = new Random();

    public Outbound(OutboundClient client, Scheduler scheduler, Ticker ticker, OutcomeRecorder outcomes) {
        this.client = requireNonNull(client, "client");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.ticker = requireNonNull(ticker, "ticker");
        this.outcomes = requireNonNull(outcomes, "outcomes");
        this.breakers = BreakerRegistry.of(BreakerConfig.DEFAULT, ticker);
    }

    /** 5xx and 429 are worth another attempt and count against the breaker; other 4xx are the caller's fault. */
    static final OutcomeClassifier<Reply> CLASSIFIER = (reply, error) -> {
        if (error != null) {
            Throwable cause = cause(error);
            if (cause instanceof OutboundException e) {
                return switch (e.kind()) {
                    // An oversized answer is deterministic and says nothing about the target's health.
                    case BODY_TOO_LARGE, RESPONSE_HEAD_TOO_LARGE -> Outcome.ignored();
                    case CANCELLED -> Outcome.cancelled();
                    case CLIENT_CLOSED -> Outcome.failure();
                    // Transport failures: what an IOException was with the JDK client.
                    default -> Outcome.retryable();
                };
            }
            return OutcomeClassifier.ofDefaults().classify(null, error);
        }
        int status = reply.status();
        if (status >= 500 || status == 429) {
            return Outcome.retryable();
        }
        return status >= 400 ? Outcome.ignored() : Outcome.success();
    };

    /**
     * Sends {@code request} and reads its body up to {@code maxBytes}; each attempt's response-head and read-idle
     * timeouts are the time left of the total deadline.
     *
     * @param target     breaker and outcome key, e.g. {@code mcp/rest/orders}
     * @param maxBytes   body cap; past it the call fails with {@link OutboundException.Kind#BODY_TOO_LARGE}
     * @param timeout    total deadline, retries included
     * @param attempts   1 for no retry
     * @param useBreaker whether the target's breaker guards the call
     */
    public CompletionStage<Reply> send(
            String target,
            OutboundRequest.Builder request,
            int maxBytes,
            Duration timeout,
            int attempts,
            boolean useBreaker) {
        return send(target, request, maxBytes, timeout, attempts, useBreaker, CappedReader.NO_LISTENER);
    }

    /**
     * As {@link #send(String, OutboundRequest.Builder, int, Duration, int, boolean)}, handing each body chunk to
     * {@code onChunk} as it arrives (on the client's event loop: it must not block), so a caller can act on the
     * events of an SSE answer before the body ends. The reply still carries the whole body.
     */
    public CompletionStage<Reply> send(
            String target,
            OutboundRequest.Builder request,
            int maxBytes,
            Duration timeout,
            int attempts,
            boolean useBreaker,
            Consumer<ByteBuffer> onChunk) {
        requireNonNull(request, "request");
        requireNonNull(onChunk, "onChunk");
        // Each attempt builds its request from the caller's builder with the time left as its timeouts: built once
        // per attempt, instead of built by the caller and copied back into a builder by every attempt. Attempts run
        // one after another, so they never share the builder at the same time.
        DeadlineCall<Reply> attempt = deadline -> {
            long started = ticker.nanoTime();
            if (!deadline.isInfinite()) {
                Duration left = deadline.remaining();
                Duration positive = left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
                request.responseHeadTimeout(positive).readIdleTimeout(positive);
            }
            OutboundRequest timed = request.build();
            return exchange(timed, maxBytes, onChunk)
                    .whenComplete((reply, error) -> outcomes.record(new OutcomeRecorder.Outcome(
                            target,
                            node(timed.uri()),
                            Optional.ofNullable(reply).map(Reply::status),
                            Duration.ofNanos(ticker.nanoTime() - started),
                            classify(reply, error))));
        };
        DeadlineCall<Reply> call = attempt;
        if (useBreaker) {
            call = breakers.breaker(target).decorate(call, CLASSIFIER);
        }
        if (attempts > 1) {
            Retry retry = retries.get(attempts);
            if (retry == null) {
                retry = retries.computeIfAbsent(attempts, this::retry);
            }
            call = retry.decorate(call, CLASSIFIER);
        }
        call = Deadlines.withTotalTimeout(call, timeout, scheduler);
        return call.call(Deadline.never(ticker));
    }

    private static String node(URI uri) {
        return uri.getHost() + ":"
                + (uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
    }

    /** A retry policy holds no per-call state: one per attempt count, not one (and a {@code Random}) per call. */
    private Retry retry(int attempts) {
        return Retry.of(RetryConfig.builder().maxAttempts(attempts).build(), Optional.empty(), random, scheduler);
    }

    /**
     * Opens a long-lived stream (an upstream's SSE {@code GET}): no deadline, breaker or retry, the response head
     * within {@code headTimeout}; the caller reads or aborts the body.
     */
    public CompletableFuture<OutboundResponse> open(
            OutboundRequest request, Duration headTimeout, Duration idleTimeout) {
        return client.send(request.toBuilder()
                .responseHeadTimeout(headTimeout)
                .readIdleTimeout(idleTimeout)
                .build());
    }

    /** One attempt: head, then the capped body. Cancelling it closes the connection, so the backend sees it. */
    private CompletableFuture<Reply> exchange(OutboundRequest request, int maxBytes, Consumer<ByteBuffer> onChunk) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        CompletableFuture<OutboundResponse> sent = client.send(request);
        sent.whenComplete((response, error) -> {
            if (error != null) {
                reply.completeExceptionally(error);
                return;
            }
            response.body().subscribe(new CappedReader(response, maxBytes, onChunk, reply));
        });
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                sent.cancel(true);
                sent.thenAccept(OutboundResponse::abort);
            }
        });
        return reply;
    }

    private static OutcomeRecorder.Result classify(Reply reply, Throwable error) {
        if (reply != null) {
            return OutcomeRecorder.Outcome.classify(reply.status());
        }
        Throwable cause = cause(error);
        if (cause instanceof OutboundException e) {
            return switch (e.kind()) {
                case CONNECT_TIMEOUT, RESPONSE_HEAD_TIMEOUT, READ_IDLE_TIMEOUT -> OutcomeRecorder.Result.TIMEOUT;
                case CONNECT_FAILED, TLS_FAILED, POOL_ACQUIRE_TIMEOUT -> OutcomeRecorder.Result.CONNECT_ERROR;
                default -> OutcomeRecorder.Result.OTHER_ERROR;
            };
        }
        if (cause instanceof TimeoutException || cause instanceof DeadlineExceededException) {
            return OutcomeRecorder.Result.TIMEOUT;
        }
        return OutcomeRecorder.Result.OTHER_ERROR;
    }

    /** Unwraps completion wrappers to the real failure. */
    public static Throwable cause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof java.util.concurrent.CompletionException
                        || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** What a failure was, for a human: the client's message, never a bare exception class name. */
    public static String describe(Throwable error) {
        Throwable cause = cause(error);
        if (cause instanceof OutboundException || cause instanceof DeadlineExceededException) {
            return cause.getMessage();
        }
        String message = cause.getMessage();
        return message == null || message.isBlank()
                ? "unexpected " + cause.getClass().getSimpleName()
                : message;
    }
}
