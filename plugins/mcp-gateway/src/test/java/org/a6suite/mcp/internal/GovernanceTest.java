package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.a6suite.mcp.AccessPolicy;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.plugin.testing.ManualClock;
import org.junit.jupiter.api.Test;

class GovernanceTest {

    @Test
    void shouldMatchGlobs() {
        assertThat(Glob.matches("orders_*", "orders_get")).isTrue();
        assertThat(Glob.matches("*_get", "orders_get")).isTrue();
        assertThat(Glob.matches("*", "")).isTrue();
        assertThat(Glob.matches("a*b*c", "aXbYc")).isTrue();
        assertThat(Glob.matches("orders_*", "order_get")).isFalse();
        assertThat(Glob.matches("exact", "exactly")).isFalse();
    }

    @Test
    void shouldLetDenyWinAndAllowListsRestrict() {
        AccessPolicy policy = new AccessPolicy(
                true,
                List.of(
                        new AccessPolicy.Rule(List.of("admin_*"), Set.of("alice"), Set.of()),
                        new AccessPolicy.Rule(List.of("*"), Set.of(), Set.of("mallory"))));
        assertThat(policy.permits("alice", "admin_reset")).isTrue();
        assertThat(policy.permits("bob", "admin_reset")).isFalse();
        assertThat(policy.permits("bob", "orders_get")).isTrue();
        assertThat(policy.permits("mallory", "orders_get")).isFalse();
        assertThat(policy.permits("", "orders_get"))
                .as("anonymous, default allow")
                .isTrue();
        assertThat(policy.permits("", "admin_reset")).isFalse();
    }

    @Test
    void shouldTreatStarAsAnyIdentifiedConsumerAndDefaultDeny() {
        AccessPolicy policy = new AccessPolicy(
                false,
                List.of(
                        new AccessPolicy.Rule(List.of("public_*"), Set.of("*", "anonymous"), Set.of()),
                        new AccessPolicy.Rule(List.of("member_*"), Set.of("*"), Set.of())));
        assertThat(policy.permits("", "public_x")).isTrue();
        assertThat(policy.permits("", "member_x")).isFalse();
        assertThat(policy.permits("carol", "member_x")).isTrue();
        assertThat(policy.permits("carol", "other")).isFalse();
    }

    @Test
    void shouldRefillTokenBucketWithInjectedClock() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ToolRateLimiter limiter = new ToolRateLimiter(clock);
        List<McpGatewayConfig.RateLimitRule> rules =
                List.of(new McpGatewayConfig.RateLimitRule(List.of("orders_*"), List.of("tools/call"), 2.0, 2, false));
        assertThat(limiter.tryAcquire(rules, "orders_get", "a")).isEmpty();
        assertThat(limiter.tryAcquire(rules, "orders_get", "b")).isEmpty();
        assertThat(limiter.tryAcquire(rules, "orders_get", "a")).contains(Duration.ofMillis(500));
        assertThat(limiter.tryAcquire(rules, "other", "a"))
                .as("rule does not match")
                .isEmpty();
        clock.advance(Duration.ofMillis(500));
        assertThat(limiter.tryAcquire(rules, "orders_get", "a")).isEmpty();
        assertThat(limiter.tryAcquire(rules, "orders_get", "a")).isPresent();
    }

    @Test
    void shouldKeepOneBucketPerConsumerWhenAsked() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ToolRateLimiter limiter = new ToolRateLimiter(clock);
        List<McpGatewayConfig.RateLimitRule> rules =
                List.of(new McpGatewayConfig.RateLimitRule(List.of("*"), List.of("tools/call"), 1.0, 1, true));
        assertThat(limiter.tryAcquire(rules, "t", "alice")).isEmpty();
        assertThat(limiter.tryAcquire(rules, "t", "alice")).isPresent();
        assertThat(limiter.tryAcquire(rules, "t", "bob")).isEmpty();
    }

    @Test
    void shouldLimitOnlyTheMethodsARuleNamesWithOneBucketPerMethodAndTarget() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        ToolRateLimiter limiter = new ToolRateLimiter(clock);
        List<McpGatewayConfig.RateLimitRule> rules = List.of(
                new McpGatewayConfig.RateLimitRule(List.of("docs+*", "*"), List.of("resources/*"), 1.0, 1, false));
        assertThat(limiter.tryAcquire(rules, "resources/read", "docs+file:///a", "a"))
                .isEmpty();
        assertThat(limiter.tryAcquire(rules, "resources/read", "docs+file:///a", "a"))
                .isPresent();
        assertThat(limiter.tryAcquire(rules, "resources/read", "docs+file:///b", "a"))
                .as("another target")
                .isEmpty();
        assertThat(limiter.tryAcquire(rules, "resources/list", "", "a"))
                .as("another method")
                .isEmpty();
        assertThat(limiter.tryAcquire(rules, "resources/list", "", "a")).isPresent();
        assertThat(limiter.tryAcquire(rules, "docs+file:///a", "a"))
                .as("tools/call not named")
                .isEmpty();
        assertThat(limiter.tryAcquire(rules, "docs+file:///a", "a")).isEmpty();
    }
}
