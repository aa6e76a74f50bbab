package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.resilience.BreakerConfig;
import org.a6suite.resilience.BreakerRegistry;
import org.a6suite.resilience.DeadlineCall;
import org.a6suite.resilience.Deadline;
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
 * the caller says the request is idempotent, and an outcome record for the health reporter. Requests are sent with
 * {@link HttpClient.Redirect#NEVER} (set on the client) so a backend cannot redirect the gateway to another host.
 */
public final class Outbound {

    private final HttpClient client;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final BreakerRegistry breakers;
    private final OutcomeRecorder outcomes;

    public Outbound(HttpClient client, Scheduler scheduler, Ticker ticker, OutcomeRecorder outcomes) {
        this.client = requireNonNull(client, "client");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.ticker = requireNonNull(ticker, "ticker");
        this.outcomes = requireNonNull(outcomes, "outcomes");
        this.breakers = BreakerRegistry.of(BreakerConfig.DEFAULT, ticker);
    }

    /** 5xx and 429 are worth another attempt and count against the breaker; other 4xx are the caller's fault. */
    static final OutcomeClassifier<HttpResponse<?>> CLASSIFIER = (response, error) -> {
        if (error != null) {
            // An oversized answer is deterministic and says nothing about the target's health.
            return cause(error) instanceof CappedBody.TooLargeException ? Outcome.ignored()
                    : OutcomeClassifier.ofDefaults().classify(null, error);
        }
        int status = response.statusCode();
        if (status >= 500 || status == 429) {
            return Outcome.retryable();
        }
        return status >= 400 ? Outcome.ignored() : Outcome.success();
    };

    /**
     * Sends {@code request} (its timeout is set per attempt from the remaining deadline).
     *
     * @param target     breaker and outcome key, e.g. {@code mcp/rest/orders}
     * @param timeout    total deadline, retries included
     * @param attempts   1 for no retry
     * @param useBreaker whether the target's breaker guards the call
     */
    public <T> CompletionStage<HttpResponse<T>> send(String target, HttpRequest.Builder request,
            HttpResponse.BodyHandler<T> handler, Duration timeout, int attempts, boolean useBreaker) {
        URI uri = request.copy().build().uri();
        String node = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort()
                : "https".equals(uri.getScheme()) ? 443 : 80);
        DeadlineCall<HttpResponse<T>> attempt = deadline -> {
            long started = ticker.nanoTime();
            HttpRequest.Builder copy = request.copy();
            if (!deadline.isInfinite()) {
                copy.timeout(deadline.remaining());
            }
            return client.sendAsync(copy.build(), handler).whenComplete((response, error) -> outcomes.record(
                    new OutcomeRecorder.Outcome(target, node,
                            Optional.ofNullable(response).map(HttpResponse::statusCode),
                            Duration.ofNanos(ticker.nanoTime() - started), classify(response, error))));
        };
        DeadlineCall<HttpResponse<T>> call = attempt;
        if (useBreaker) {
            call = breakers.breaker(target).decorate(call, CLASSIFIER);
        }
        if (attempts > 1) {
            call = Retry.of(RetryConfig.builder().maxAttempts(attempts).build(), Optional.empty(), new Random(),
                    scheduler).decorate(call, CLASSIFIER);
        }
        call = Deadlines.withTotalTimeout(call, timeout, scheduler);
        return call.call(Deadline.never(ticker));
    }

    private static OutcomeRecorder.Result classify(HttpResponse<?> response, Throwable error) {
        if (response != null) {
            return OutcomeRecorder.Outcome.classify(response.statusCode());
        }
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof java.net.http.HttpTimeoutException || cause instanceof TimeoutException
                || cause instanceof DeadlineExceededException) {
            return OutcomeRecorder.Result.TIMEOUT;
        }
        if (cause instanceof java.net.ConnectException) {
            return OutcomeRecorder.Result.CONNECT_ERROR;
        }
        return OutcomeRecorder.Result.OTHER_ERROR;
    }

    /** Unwraps completion wrappers to the real failure. */
    public static Throwable cause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
