package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.a6suite.resilience.internal.Stages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The recording decorator: times every attempt on a ticker and tells an {@link AttemptListener}. */
public final class Attempts {

    private static final Logger log = LoggerFactory.getLogger(Attempts.class);

    private Attempts() {}

    /**
     * Wraps {@code call} so each invocation is reported to {@code listener} with {@code target}, its outcome by
     * {@code classifier} and its duration on {@code ticker}. Place it inside retry and hedge so each attempt is
     * reported, and outside an attempt deadline so timeouts are reported as such.
     */
    public static <T> DeadlineCall<T> recorded(
            DeadlineCall<T> call,
            String target,
            OutcomeClassifier<? super T> classifier,
            Ticker ticker,
            AttemptListener listener) {
        requireNonNull(call, "call");
        requireNonNull(target, "target");
        requireNonNull(classifier, "classifier");
        requireNonNull(ticker, "ticker");
        requireNonNull(listener, "listener");
        return deadline -> {
            long start = ticker.nanoTime();
            CompletableFuture<T> attempt = Stages.invoke(call, deadline);
            // Report from a dependent stage so a cancellation of the returned future (hedge loser) is seen too.
            attempt.whenComplete((result, error) -> {
                Throwable cause = error == null ? null : Stages.unwrap(error);
                Outcome outcome = classifier.classifySafely(result, cause);
                AttemptEvent event = new AttemptEvent(
                        target,
                        outcome,
                        Duration.ofNanos(Math.max(0, ticker.nanoTime() - start)),
                        Optional.ofNullable(cause));
                try {
                    listener.onAttempt(event);
                } catch (RuntimeException listenerFailure) {
                    log.warn("AttemptListener for target {} threw; ignored", target, listenerFailure);
                }
            });
            return attempt;
        };
    }
}
