package org.a6suite.ai.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.resilience.AdaptiveTimeout;
import org.a6suite.resilience.AdaptiveTimeoutConfig;
import org.a6suite.resilience.Breaker;
import org.a6suite.resilience.BreakerConfig;
import org.a6suite.resilience.BreakerState;
import org.a6suite.resilience.HedgeBudget;
import org.a6suite.resilience.HedgeBudgetConfig;
import org.a6suite.resilience.Retry;
import org.a6suite.resilience.RetryBudget;
import org.a6suite.resilience.RetryBudgetConfig;
import org.a6suite.resilience.RetryConfig;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;

/**
 * The state one target keeps across calls: its latency windows (one per operation, so streaming and non-streaming
 * calls get their own attempt deadlines), its breaker, its retry policy with a budget, and the hedge budget of calls
 * that start with it. Shared by every route whose configuration names the same target with the same settings.
 */
public final class TargetRuntime {

    private final Target target;
    private final AdaptiveTimeout latency;
    private final AdaptiveTimeout firstToken;
    private final AdaptiveTimeout tokenGap;
    private final Optional<Breaker> breaker;
    private final Retry retry;
    private final HedgeBudget hedgeBudget;

    TargetRuntime(Target target, AiGatewayConfig config, Ticker ticker, Scheduler scheduler) {
        this.target = target;
        var t = config.timeouts();
        this.latency = adaptive(t.attempt(), ticker);
        this.firstToken = adaptive(t.firstToken(), ticker);
        this.tokenGap = adaptive(t.tokenGap(), ticker);
        var b = config.breaker();
        this.breaker = b.enabled()
                ? Optional.of(Breaker.of(
                        target.id() + "/" + target.model(),
                        BreakerConfig.builder()
                                .windowSize(b.windowSize())
                                .minimumCalls(b.minimumCalls())
                                .failureRateThreshold(b.failureRateThreshold())
                                .windowType(b.windowType())
                                .slowCallDuration(b.slowCall())
                                .slowCallRateThreshold(b.slowCallRateThreshold())
                                .waitInOpenState(b.waitInOpen())
                                .permittedCallsInHalfOpen(b.permittedInHalfOpen())
                                .build(),
                        ticker))
                : Optional.empty();
        var r = config.retry();
        this.retry = Retry.of(
                RetryConfig.builder()
                        .maxAttempts(r.maxAttempts())
                        .baseBackoff(r.baseBackoff())
                        .maxBackoff(r.maxBackoff())
                        .honourRetryAfter(r.honourRetryAfter())
                        .maxRetryAfter(r.maxRetryAfter())
                        .build(),
                Optional.of(RetryBudget.of(
                        RetryBudgetConfig.builder()
                                .ratio(r.budgetRatio())
                                .minRetriesPerSecond(r.budgetMinPerSecond())
                                .build(),
                        ticker)),
                new Random(),
                scheduler);
        var h = config.hedge();
        this.hedgeBudget = HedgeBudget.of(
                HedgeBudgetConfig.builder()
                        .maxExtraLoad(h.maxExtraRatio())
                        .minHedgesPerSecond(0)
                        .build(),
                ticker);
    }

    private static AdaptiveTimeout adaptive(AiGatewayConfig.Adaptive a, Ticker ticker) {
        return AdaptiveTimeout.of(
                AdaptiveTimeoutConfig.builder()
                        .percentile(a.percentile())
                        .multiplier(a.multiplier())
                        .floor(a.floor())
                        .ceiling(a.ceiling())
                        .warmupTimeout(a.warmup())
                        .minSamples(a.minSamples())
                        .build(),
                ticker);
    }

    public Target target() {
        return target;
    }

    public AdaptiveTimeout latency() {
        return latency;
    }

    /** Observed times to the first content chunk of streams, and the deadline learned from them. */
    public AdaptiveTimeout firstToken() {
        return firstToken;
    }

    /** Observed provider silences between reads of committed streams, and the deadline learned from them. */
    public AdaptiveTimeout tokenGap() {
        return tokenGap;
    }

    public Optional<Breaker> breaker() {
        return breaker;
    }

    public Retry retry() {
        return retry;
    }

    public HedgeBudget hedgeBudget() {
        return hedgeBudget;
    }

    /** Whether the breaker currently rejects calls (a half-open breaker lets probes through). */
    public boolean isOpen() {
        return breaker.map(b -> b.state() == BreakerState.OPEN || b.state() == BreakerState.FORCED_OPEN)
                .orElse(false);
    }

    /** The observed median latency of {@code operationKey}, if enough samples exist. */
    public Optional<Duration> median(String operationKey) {
        return latency.percentile(operationKey, 50);
    }
}
