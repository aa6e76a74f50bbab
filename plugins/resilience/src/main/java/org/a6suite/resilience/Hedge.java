package org.a6suite.resilience;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.a6suite.resilience.internal.Stages;

/**
 * The hedging decorator: when the primary attempt has not succeeded after {@link HedgeDelay#delay()}, a second
 * attempt starts (possibly to another target); the first success wins and the other attempt is cancelled.
 *
 * <p>A hedge starts only if the primary is still running, the {@link HedgeBudget} allows it and the deadline leaves
 * time. A primary that fails before the hedge delay ends the call with its failure (retrying is {@link Retry}'s
 * job). When both run and both fail, the primary's completion is returned.
 */
public final class Hedge {

    private final HedgeDelay delay;
    private final HedgeBudget budget;
    private final Scheduler scheduler;

    private Hedge(HedgeDelay delay, HedgeBudget budget, Scheduler scheduler) {
        this.delay = requireNonNull(delay, "delay");
        this.budget = requireNonNull(budget, "budget");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    public static Hedge of(HedgeDelay delay, HedgeBudget budget, Scheduler scheduler) {
        return new Hedge(delay, budget, scheduler);
    }

    public HedgeBudget budget() {
        return budget;
    }

    /** Hedges {@code primary} with {@code secondary}; {@code classifier} says which completions are successes. */
    public <T> DeadlineCall<T> decorate(
            DeadlineCall<T> primary, DeadlineCall<T> secondary, OutcomeClassifier<? super T> classifier) {
        requireNonNull(primary, "primary");
        requireNonNull(secondary, "secondary");
        requireNonNull(classifier, "classifier");
        return deadline -> new Execution<>(primary, secondary, classifier, deadline).start();
    }

    /** One call's hedging state, guarded by its monitor. */
    private final class Execution<T> {
        private final DeadlineCall<T> primaryCall;
        private final DeadlineCall<T> secondaryCall;
        private final OutcomeClassifier<? super T> classifier;
        private final Deadline deadline;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private CompletableFuture<T> primary;
        private CompletableFuture<T> secondary;
        private Scheduler.Task timer;
        private boolean primaryFailed;
        private T primaryValue;
        private Throwable primaryError;

        Execution(
                DeadlineCall<T> primaryCall,
                DeadlineCall<T> secondaryCall,
                OutcomeClassifier<? super T> classifier,
                Deadline deadline) {
            this.primaryCall = primaryCall;
            this.secondaryCall = secondaryCall;
            this.classifier = classifier;
            this.deadline = deadline;
        }

        CompletableFuture<T> start() {
            budget.onCall();
            CompletableFuture<T> started = Stages.invoke(primaryCall, deadline);
            synchronized (this) {
                primary = started;
                Duration wait = delay.delay();
                if (!started.isDone() && Stages.saturatedNanos(wait) < deadline.remainingNanos()) {
                    timer = scheduler.schedule(this::fireHedge, wait);
                }
            }
            started.whenComplete((value, error) -> onComplete(true, value, error));
            result.whenComplete((ignored, error) -> {
                if (result.isCancelled()) {
                    cancelAll();
                }
            });
            return result;
        }

        private void fireHedge() {
            synchronized (this) {
                if (result.isDone() || primary.isDone() || deadline.isExpired() || !budget.tryAcquireHedge()) {
                    return;
                }
                secondary = Stages.invoke(secondaryCall, deadline);
            }
            secondary.whenComplete((value, error) -> onComplete(false, value, error));
        }

        private void onComplete(boolean isPrimary, T value, Throwable error) {
            Throwable cause = error == null ? null : Stages.unwrap(error);
            Outcome outcome = classifier.classifySafely(value, cause);
            CompletableFuture<T> loser;
            synchronized (this) {
                if (result.isDone()) {
                    return;
                }
                if (outcome.type() == Outcome.Type.CANCELLED && !isPrimary) {
                    // Our own cancellation of a losing hedge; nothing to decide.
                    return;
                }
                if (!outcome.isSuccess() && outcome.type() != Outcome.Type.IGNORED) {
                    if (isPrimary) {
                        primaryFailed = true;
                        primaryValue = value;
                        primaryError = cause;
                        if (timer != null) {
                            timer.cancel();
                        }
                        if (secondary != null && !secondary.isDone()) {
                            return; // the hedge may still succeed
                        }
                        Stages.complete(result, value, cause);
                        return;
                    }
                    // The hedge failed: the primary decides, or already decided with its failure.
                    if (primaryFailed) {
                        Stages.complete(result, primaryValue, primaryError);
                    }
                    return;
                }
                loser = isPrimary ? secondary : primary;
                if (timer != null) {
                    timer.cancel();
                }
            }
            Stages.complete(result, value, cause);
            if (loser != null) {
                loser.cancel(true);
            }
        }

        private void cancelAll() {
            CompletableFuture<T> first;
            CompletableFuture<T> second;
            synchronized (this) {
                if (timer != null) {
                    timer.cancel();
                }
                first = primary;
                second = secondary;
            }
            if (first != null) {
                first.cancel(true);
            }
            if (second != null) {
                second.cancel(true);
            }
        }
    }
}
