package org.a6suite.ai.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.resilience.DeadlineCall;
import org.a6suite.resilience.DeadlineExceededException;
import org.a6suite.resilience.Fallback;
import org.a6suite.resilience.Hedge;
import org.a6suite.resilience.HedgeDelay;
import org.a6suite.resilience.Scheduler;

/**
 * One call's walk over its ordered targets, shared by whole answers ({@link Invoker}) and streams
 * ({@link StreamingInvoker}): each target's decorated call, optionally hedged onto the next target after the first's
 * observed pN, then a fallback to the next target not yet started (a target a hedge already started is not tried
 * again).
 *
 * @param <T> what one target's call yields
 */
final class TargetChain<T> {

    private final List<TargetRuntime> ordered;
    private final Function<TargetRuntime, DeadlineCall<T>> perTarget;
    private final AiGatewayConfig.HedgeSettings hedge;
    private final Function<TargetRuntime, Duration> observedOrWarmup;
    private final Scheduler scheduler;
    private final AtomicInteger started = new AtomicInteger();

    /**
     * @param perTarget        a target's call with its own retry, breaker and attempt deadline
     * @param observedOrWarmup the target's latency at the hedge percentile, or the warm-up value before it is known
     */
    TargetChain(
            List<TargetRuntime> ordered,
            Function<TargetRuntime, DeadlineCall<T>> perTarget,
            AiGatewayConfig.HedgeSettings hedge,
            Function<TargetRuntime, Duration> observedOrWarmup,
            Scheduler scheduler) {
        this.ordered = ordered;
        this.perTarget = perTarget;
        this.hedge = hedge;
        this.observedOrWarmup = observedOrWarmup;
        this.scheduler = scheduler;
    }

    DeadlineCall<T> from(int index) {
        return deadline -> {
            if (deadline.isExpired()) {
                return CompletableFuture.failedFuture(
                        new DeadlineExceededException(DeadlineExceededException.Scope.TOTAL, Duration.ZERO));
            }
            started.accumulateAndGet(index + 1, Math::max);
            TargetRuntime primary = ordered.get(index);
            DeadlineCall<T> call = perTarget.apply(primary);
            if (hedge.enabled() && index + 1 < ordered.size()) {
                TargetRuntime next = ordered.get(index + 1);
                DeadlineCall<T> secondary = d -> {
                    started.accumulateAndGet(index + 2, Math::max);
                    return perTarget.apply(next).call(d);
                };
                HedgeDelay delay = () -> {
                    Duration observed = observedOrWarmup.apply(primary);
                    return observed.compareTo(hedge.minDelay()) < 0 ? hedge.minDelay() : observed;
                };
                call = Hedge.of(delay, primary.hedgeBudget(), scheduler).decorate(call, secondary, Invoker.CLASSIFIER);
            }
            return Fallback.decorate(call, Invoker.CLASSIFIER, cause -> true, (cause, d) -> {
                        int next = started.get();
                        if (next >= ordered.size()) {
                            return CompletableFuture.failedFuture(cause);
                        }
                        return from(next).call(d);
                    })
                    .call(deadline);
        };
    }
}
