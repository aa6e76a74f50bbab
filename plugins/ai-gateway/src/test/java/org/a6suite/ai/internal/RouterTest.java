package org.a6suite.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Strategy;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.resilience.testing.ManualScheduler;
import org.a6suite.resilience.testing.ManualTicker;
import org.junit.jupiter.api.Test;

class RouterTest {

    private final ManualTicker ticker = new ManualTicker();
    private final RuntimeRegistry registry = new RuntimeRegistry(ticker, new ManualScheduler(ticker));

    private AiGatewayConfig config() throws Exception {
        return new AiGatewayPlugin().parseConfig("""
                {"targets": [
                  {"id": "cheap", "type": "ollama", "endpoint": "http://127.0.0.1:1", "model": "m",
                   "price": {"input_per_million": 0.1, "output_per_million": 0.2}, "priority": 2, "weight": 1},
                  {"id": "pricey", "type": "ollama", "endpoint": "http://127.0.0.1:2", "model": "m",
                   "price": {"input_per_million": 5, "output_per_million": 15}, "priority": 1, "weight": 99}],
                 "breaker": {"window_size": 2, "minimum_calls": 2}}""");
    }

    private List<String> order(Strategy strategy, double random) throws Exception {
        AiGatewayConfig config = config();
        var runtimes =
                config.targets().stream().map(t -> registry.runtime(t, config)).toList();
        return new Router(() -> random)
                .order(strategy, runtimes, "chat", 1000, 100).stream()
                        .map(r -> r.target().id())
                        .toList();
    }

    @Test
    void shouldOrderByPriorityAndCost() throws Exception {
        assertThat(order(Strategy.PRIORITY, 0.5)).containsExactly("pricey", "cheap");
        assertThat(order(Strategy.COST, 0.5)).containsExactly("cheap", "pricey");
    }

    @Test
    void shouldFavourHeavierWeight() throws Exception {
        assertThat(order(Strategy.WEIGHTED, 0.5)).containsExactly("pricey", "cheap");
    }

    @Test
    void shouldPreferLowerObservedLatency() throws Exception {
        AiGatewayConfig config = config();
        var cheap = registry.runtime(config.targets().get(0), config);
        var pricey = registry.runtime(config.targets().get(1), config);
        for (int i = 0; i < 20; i++) {
            cheap.latency().record("chat", Duration.ofMillis(50));
            pricey.latency().record("chat", Duration.ofMillis(500));
        }

        assertThat(order(Strategy.LATENCY, 0.5)).containsExactly("cheap", "pricey");
    }

    @Test
    void shouldMoveTargetsWithOpenBreakerLast() throws Exception {
        AiGatewayConfig config = config();
        var pricey = registry.runtime(config.targets().get(1), config);
        var breaker = pricey.breaker().orElseThrow();
        for (int i = 0; i < 2; i++) {
            breaker.tryAcquirePermission();
            breaker.record(
                    org.a6suite.resilience.Outcome.failure(), Duration.ofMillis(1), new RuntimeException("boom"));
        }

        assertThat(pricey.isOpen()).isTrue();
        assertThat(order(Strategy.PRIORITY, 0.5)).containsExactly("cheap", "pricey");
        assertThat(TokenPrices.of(config.targets().get(1)).cost(1_000_000, 0)).isEqualByComparingTo("5");
    }
}
