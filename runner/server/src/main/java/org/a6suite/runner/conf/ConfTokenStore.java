package org.a6suite.runner.conf;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Configuration tokens handed to APISIX by PrepareConf, each naming one {@link PreparedChain}.
 *
 * <p>APISIX never releases a token: it caches it per worker for {@code APISIX_CONF_EXPIRE_TIME} (LRU) and in a
 * shared dict for 0.9 of that, so one token can be in use for about 1.9 times the expire time (6840 s at the default
 * 3600 s), and the gap between two uses of a token APISIX still holds is at most the expire time. Tokens therefore
 * expire only after {@link #retentionFor twice the expire time} <em>without any use</em> (expire-after-access): a
 * token APISIX still uses never expires under it, and one it forgot goes away. Dropping a live token is harmless
 * anyway (APISIX re-prepares on CONF_TOKEN_NOT_FOUND), so the size bound is a memory guard only.
 *
 * <p>A lookup happens on every call, and a recorded Caffeine read (the access buffer, and the maintenance that drains
 * it on the calling event loop) was 9% of the event loop's samples of a no-op call. So a lookup reads quietly, and
 * records an access, restarting the idle timer, at most once per {@link #RECORD_EVERY_NANOS second} per token: the
 * idle timer is hours long, so it moves by at most that second.
 *
 * <p>Tokens are u32 values from a counter that starts at a random point, skipping 0 and any value still alive, so
 * a restarted runner is unlikely to hand out a number that APISIX workers still hold from the previous process.
 */
public final class ConfTokenStore {

    /** Far above any real route count; reaching it only costs APISIX one re-prepare per evicted token. */
    public static final long DEFAULT_MAX_TOKENS = 100_000;

    /** How often, at most, a token's use is recorded (restarting its idle timer). */
    static final long RECORD_EVERY_NANOS = 1_000_000_000L;

    private static final long U32_MASK = 0xFFFF_FFFFL;

    private final Cache<Long, Held> cache;
    private final Policy<Long, Held> policy;
    private final ConcurrentMap<Long, Held> map;
    private final Ticker ticker;
    private final AtomicLong counter;

    /** A chain and when its token's use was last recorded (racy writes from the loops are harmless: any recent). */
    private static final class Held {
        final PreparedChain chain;
        volatile long recordedAt;

        Held(PreparedChain chain, long recordedAt) {
            this.chain = chain;
            this.recordedAt = recordedAt;
        }
    }

    public ConfTokenStore(Duration retention, Ticker ticker, long maxTokens, long firstToken) {
        requireNonNull(retention, "retention");
        requireNonNull(ticker, "ticker");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected: >= 1)");
        }
        this.cache = Caffeine.newBuilder()
                .expireAfterAccess(retention)
                .maximumSize(maxTokens)
                .ticker(ticker)
                // Expired entries are cleaned on the caller's thread: no background pool to manage or stop.
                .executor(Runnable::run)
                .build();
        this.policy = cache.policy();
        this.map = cache.asMap();
        this.ticker = ticker;
        this.counter = new AtomicLong(firstToken - 1);
    }

    /** How long an unused token is kept: twice APISIX's expire time, covering every APISIX cache path. */
    public static Duration retentionFor(Duration confExpireTime) {
        return confExpireTime.multipliedBy(2);
    }

    /** Stores {@code chain} under a new token (1..2^32-1, not currently alive) and returns the token. */
    public long register(PreparedChain chain) {
        requireNonNull(chain, "chain");
        // Bounded: at most maxTokens values are alive, so a free one turns up long before 2^32 tries.
        for (long attempt = 0; attempt <= U32_MASK; attempt++) {
            long token = counter.incrementAndGet() & U32_MASK;
            if (token == 0) {
                continue;
            }
            if (map.putIfAbsent(token, new Held(chain, ticker.read())) == null) {
                return token;
            }
        }
        throw new IllegalStateException("no free configuration token");
    }

    /** The chain for {@code token}, refreshing its idle timer; empty if unknown or expired. */
    public Optional<PreparedChain> lookup(long token) {
        Held held = policy.getIfPresentQuietly(token);
        if (held == null) {
            return Optional.empty();
        }
        long now = ticker.read();
        if (now - held.recordedAt >= RECORD_EVERY_NANOS) {
            held.recordedAt = now;
            var unused = cache.getIfPresent(token); // the recorded read: restarts the idle timer
        }
        return Optional.of(held.chain);
    }

    /** Tokens currently held (approximate; expired entries may linger until the next access). */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
