package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.a6suite.mcp.McpGatewayConfig;

/**
 * Token buckets per method and target (a tool, a prompt, a resource URI), local to one runner (one APISIX node): with
 * N nodes a target sees up to N times the configured rate. Time comes from the injected clock, so tests advance time
 * instead of sleeping.
 *
 * <p>Buckets live in a Caffeine cache. A bucket expires once it has been idle long enough to be full again
 * ({@code burst / perSecond}), so dropping it loses nothing: a new bucket starts full too. The number of buckets is
 * bounded by admission, not by eviction: once {@code maxBuckets} are live, a new consumer or target shares one
 * overflow bucket per rule and method until expiry frees room. Evicting live buckets instead would refill them, so a
 * client rotating its principal header (or resource URIs) could reset everybody's limits; this way it can only
 * exhaust the shared overflow bucket. Caffeine's own size bound (twice the admission bound) is a backstop for the
 * few buckets concurrent admissions may add past the check.
 */
public final class ToolRateLimiter {

    /** Default bound on buckets held at once (about 200 bytes each). */
    static final int MAX_BUCKETS = 100_000;
    /** The target and consumer of overflow buckets; no MCP name or URI contains a NUL. */
    private static final String OVERFLOW = "\u0000overflow";

    private final Clock clock;
    private final long maxBuckets;
    private final Cache<Key, Bucket> buckets;

    public ToolRateLimiter(Clock clock) {
        this(clock, MAX_BUCKETS, ForkJoinPool.commonPool());
    }

    /**
     * @param maxBuckets buckets held at once
     * @param executor   runs Caffeine's maintenance; tests pass {@code Runnable::run} to make eviction immediate
     */
    ToolRateLimiter(Clock clock, long maxBuckets, Executor executor) {
        this.clock = requireNonNull(clock, "clock");
        this.maxBuckets = maxBuckets;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(2 * maxBuckets)
                .expireAfter(Expiry.accessing((Key key, Bucket bucket) -> key.refillTime()))
                .ticker(() -> clock.millis() * 1_000_000L)
                .executor(requireNonNull(executor, "executor"))
                .build();
    }

    private record Key(McpGatewayConfig.RateLimitRule rule, String method, String target, String consumer) {
        /** How long an untouched bucket takes to be full again (at least one second). */
        Duration refillTime() {
            return Duration.ofMillis(Math.max(1000L, (long) Math.ceil(rule.burst() * 1000.0 / rule.perSecond())));
        }
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
    public Optional<Duration> tryAcquire(
            List<McpGatewayConfig.RateLimitRule> rules, String method, String target, String consumer) {
        long now = clock.millis();
        for (McpGatewayConfig.RateLimitRule rule : rules) {
            if (rule.methods().stream().noneMatch(p -> Glob.matches(p, method))
                    || rule.tools().stream().noneMatch(p -> Glob.matches(p, target))) {
                continue;
            }
            Key key = new Key(rule, method, target, rule.perConsumer() ? consumer : "");
            Bucket bucket = buckets.getIfPresent(key);
            if (bucket == null) {
                if (buckets.estimatedSize() >= maxBuckets) {
                    key = new Key(rule, method, OVERFLOW, OVERFLOW);
                }
                bucket = buckets.get(key, k -> new Bucket(rule.burst(), now));
            }
            long waitMillis = bucket.take(rule.perSecond(), rule.burst(), now);
            if (waitMillis > 0) {
                return Optional.of(Duration.ofMillis(waitMillis));
            }
        }
        return Optional.empty();
    }

    /** Buckets held now (after pending maintenance); for tests. */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
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
