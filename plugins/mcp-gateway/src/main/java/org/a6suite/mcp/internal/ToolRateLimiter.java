package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.a6suite.mcp.McpGatewayConfig;

/**
 * Token buckets per method and target (a tool, a prompt, a resource URI), local to one runner (one APISIX node): with
 * N nodes a target sees up to N times the configured rate. Time comes from the injected clock, so tests advance time
 * instead of sleeping.
 */
public final class ToolRateLimiter {

    /** Bounds memory when consumers are many; buckets beyond this are dropped (and so refilled) wholesale. */
    private static final int MAX_BUCKETS = 100_000;

    private final Clock clock;
    private final ConcurrentMap<Key, Bucket> buckets = new ConcurrentHashMap<>();

    public ToolRateLimiter(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    private record Key(McpGatewayConfig.RateLimitRule rule, String method, String target, String consumer) {
    }

    /** {@link #tryAcquire(List, String, String, String)} for {@code tools/call}. */
    public Optional<Duration> tryAcquire(List<McpGatewayConfig.RateLimitRule> rules, String tool, String consumer) {
        return tryAcquire(rules, "tools/call", tool, consumer);
    }

    /**
     * Takes a token from each bucket of the rules matching {@code method} and {@code target} ({@code ""} for
     * methods without one); returns how long to wait when one is empty. Rules are independent: tokens taken from
     * earlier rules before a refusal are not returned.
     */
    public Optional<Duration> tryAcquire(List<McpGatewayConfig.RateLimitRule> rules, String method, String target,
            String consumer) {
        long now = clock.millis();
        for (McpGatewayConfig.RateLimitRule rule : rules) {
            if (rule.methods().stream().noneMatch(p -> Glob.matches(p, method))
                    || rule.tools().stream().noneMatch(p -> Glob.matches(p, target))) {
                continue;
            }
            if (buckets.size() > MAX_BUCKETS) {
                buckets.clear();
            }
            Bucket bucket = buckets.computeIfAbsent(new Key(rule, method, target,
                            rule.perConsumer() ? consumer : ""),
                    k -> new Bucket(rule.burst(), now));
            long waitMillis = bucket.take(rule.perSecond(), rule.burst(), now);
            if (waitMillis > 0) {
                return Optional.of(Duration.ofMillis(waitMillis));
            }
        }
        return Optional.empty();
    }

    /** A classic token bucket; synchronized per bucket, so contention is per tool (and consumer). */
    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.last = now;
        }

        synchronized long take(double perSecond, int burst, long now) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * perSecond / 1000.0);
                last = now;
            }
            if (tokens >= 1.0) {
                tokens -= 1.0;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1.0 - tokens) * 1000.0 / perSecond));
        }
    }
}
