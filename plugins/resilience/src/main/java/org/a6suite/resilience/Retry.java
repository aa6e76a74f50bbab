package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.a6suite.resilience.internal.Stages;

/**
 * The retry decorator: exponential backoff with full jitter, a server's minimum delay (Retry-After) honoured, never
 * waiting past the caller's deadline, and an optional shared {@link RetryBudget}.
 *
 * <p>When retrying stops (attempts used up, not retryable, no time left, budget spent) the last attempt's own
 * completion is returned: its result, or its exception unchanged, so callers see the real cause.
 */
public final class Retry {

    private final RetryConfig config;
    private final Optional<RetryBudget> budget;
    private final RandomGenerator random;
    private final Scheduler scheduler;

    private Retry(RetryConfig config, Optional<RetryBudget> budget, RandomGenerator random, Scheduler scheduler) {
        this.config = requireNonNull(config, "config");
        this.budget = requireNonNull(budget, "budget");
        this.random = requireNonNull(random, "random");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /**
     * @param budget shared budget, or empty for none
     * @param random jitter source, shared by every call: it must be thread-safe ({@code new java.util.Random()}
     *     is; inject a seeded one in tests)
     * @param scheduler runs the next attempt after the backoff
     */
    public static Retry of(
            RetryConfig config, Optional<RetryBudget> budget, RandomGenerator random, Scheduler scheduler) {
        return new Retry(config, budget, random, scheduler);
    }

    public RetryConfig config() {
        return config;
    }

    public Optional<RetryBudget> budget() {
        return budget;
    }

    /** The full-jitter backoff before retry {@code retryIndex} (0 = the first retry). */
    public Duration backoff(int retryIndex) {
        long base = Stages.saturatedNanos(config.baseBackoff());
        long max = Stages.saturatedNanos(config.maxBackoff());
        // base x 2^n without overflow: past 62 doublings any base exceeds any cap.
        long cap = retryIndex >= 62 || base > (max >> Math.min(retryIndex, 62)) ? max : base << retryIndex;
        cap = Math.min(cap, max);
        return Duration.ofNanos(cap <= 0 ? 0 : random.nextLong(cap + 1));
    }

    /** Wraps {@code call} with retries; {@code classifier} says which completions to retry. */
    public <T> DeadlineCall<T> decorate(DeadlineCall<T> call, OutcomeClassifier<? super T> classifier) {
        requireNonNull(call, "call");
        requireNonNull(classifier, "classifier");
        return deadline -> new Execution<>(call, classifier, deadline).start();
    }

    /** One call's retry state; lives as long as the call. */
    private final class Execution<T> {
        private final DeadlineCall<T> call;
        private final OutcomeClassifier<? super T> classifier;
        private final Deadline deadline;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private int attempts;
        private volatile CompletableFuture<T> current;
        private volatile Scheduler.Task pending;

        Execution(DeadlineCall<T> call, OutcomeClassifier<? super T> classifier, Deadline deadline) {
            this.call = call;
            this.classifier = classifier;
            this.deadline = deadline;
        }

        CompletableFuture<T> start() {
            budget.ifPresent(RetryBudget::onRequest);
            result.whenComplete((ignored, error) -> {
                if (result.isCancelled()) {
                    Scheduler.Task task = pending;
                    if (task != null) {
                        task.cancel();
                    }
                    CompletableFuture<T> inFlight = current;
                    if (inFlight != null) {
                        inFlight.cancel(true);
                    }
                }
            });
            attempt();
            return result;
        }

        private void attempt() {
            if (result.isDone()) {
                return;
            }
            attempts++;
            CompletableFuture<T> stage = Stages.invoke(call, deadline);
            current = stage;
            stage.whenComplete(this::onAttemptComplete);
        }

        private void onAttemptComplete(T value, Throwable error) {
            if (result.isDone()) {
                return;
            }
            Throwable cause = error == null ? null : Stages.unwrap(error);
            Outcome outcome = classifier.classifySafely(value, cause);
            Optional<Duration> delay = nextDelay(outcome);
            if (delay.isEmpty()) {
                Stages.complete(result, value, cause);
                return;
            }
            if (delay.get().isZero()) {
                attempt();
            } else {
                pending = scheduler.schedule(this::attempt, delay.get());
            }
        }

        /** The wait before the next attempt, or empty when retrying must stop. */
        private Optional<Duration> nextDelay(Outcome outcome) {
            if (outcome.type() != Outcome.Type.RETRYABLE_FAILURE || attempts >= config.maxAttempts()) {
                return Optional.empty();
            }
            Duration delay = backoff(attempts - 1);
            if (config.honourRetryAfter() && outcome.retryAfter().isPresent()) {
                Duration serverDelay = outcome.retryAfter().get();
                if (serverDelay.compareTo(config.maxRetryAfter()) > 0) {
                    return Optional.empty();
                }
                if (serverDelay.compareTo(delay) > 0) {
                    delay = serverDelay;
                }
            }
            // Never sleep into (or past) the deadline: an attempt started at expiry could only fail.
            if (Stages.saturatedNanos(delay) >= deadline.remainingNanos()) {
                return Optional.empty();
            }
            if (budget.isPresent() && !budget.get().tryAcquireRetry()) {
                return Optional.empty();
            }
            return Optional.of(delay);
        }
    }
}
