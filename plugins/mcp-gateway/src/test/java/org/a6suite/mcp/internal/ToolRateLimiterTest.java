package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.plugin.testing.ManualClock;
import org.junit.jupiter.api.Test;

class ToolRateLimiterTest {

    private static final List<McpGatewayConfig.RateLimitRule> PER_CONSUMER =
            List.of(new McpGatewayConfig.RateLimitRule(List.of("*"), List.of("tools/call"), 0.01, 1, true));

    @Test
    void shouldNotResetAnotherPrincipalsBucketWhenAClientRotatesPrincipals() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ToolRateLimiter limiter = new ToolRateLimiter(clock, 1_000, Runnable::run);
        assertThat(limiter.tryAcquire(PER_CONSUMER, "orders_create", "alice")).isEmpty();
        assertThat(limiter.tryAcquire(PER_CONSUMER, "orders_create", "alice")).isPresent();

        // Far more principals than the limiter holds buckets: the old code cleared every bucket at the bound.
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            if (limiter.tryAcquire(PER_CONSUMER, "orders_create", "rotating-" + i)
                    .isPresent()) {
                refused++;
            }
        }

        assertThat(limiter.size()).isLessThanOrEqualTo(1_001);
        assertThat(refused)
                .as("past the bound, new principals share one overflow bucket")
                .isGreaterThan(18_000);
        assertThat(limiter.tryAcquire(PER_CONSUMER, "orders_create", "alice"))
                .as("alice's empty bucket survives the rotation")
                .isPresent();
    }

    @Test
    void shouldDropABucketOnlyOnceItWouldBeFullAgain() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ToolRateLimiter limiter = new ToolRateLimiter(clock, 1_000, Runnable::run);
        assertThat(limiter.tryAcquire(PER_CONSUMER, "t", "alice")).isEmpty();
        clock.advance(Duration.ofSeconds(99));
        assertThat(limiter.size()).isEqualTo(1);
        assertThat(limiter.tryAcquire(PER_CONSUMER, "t", "alice"))
                .as("still refilling")
                .isPresent();

        clock.advance(Duration.ofSeconds(101));

        assertThat(limiter.size()).as("idle for a whole refill time").isZero();
        assertThat(limiter.tryAcquire(PER_CONSUMER, "t", "alice")).isEmpty();
    }
}
