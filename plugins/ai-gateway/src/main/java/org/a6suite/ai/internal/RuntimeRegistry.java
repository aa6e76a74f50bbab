package org.a6suite.ai.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;

/**
 * Keeps each target's {@link TargetRuntime} across PrepareConfs. APISIX re-prepares a route about once an hour and on
 * every route change; keying by the target and the settings that shape its state means an unchanged route keeps its
 * latency history and breaker, while a changed setting starts fresh. Unused entries expire.
 */
public final class RuntimeRegistry {

    private record Key(
            Target target,
            AiGatewayConfig.Timeouts timeouts,
            AiGatewayConfig.RetrySettings retry,
            AiGatewayConfig.BreakerSettings breaker,
            AiGatewayConfig.HedgeSettings hedge) {}

    private final Cache<Key, TargetRuntime> runtimes = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterAccess(Duration.ofHours(2))
            .build();
    private final Ticker ticker;
    private final Scheduler scheduler;

    public RuntimeRegistry(Ticker ticker, Scheduler scheduler) {
        this.ticker = ticker;
        this.scheduler = scheduler;
    }

    public TargetRuntime runtime(Target target, AiGatewayConfig config) {
        Key key = new Key(target, config.timeouts(), config.retry(), config.breaker(), config.hedge());
        return runtimes.get(key, k -> new TargetRuntime(target, config, ticker, scheduler));
    }
}
