package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.resilience.Breaker;
import org.a6suite.resilience.BreakerState;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.Ticker;

/**
 * Everything the plugin keeps for one route: its circuit breaker, its last-good-response cache, and the requests let
 * through in pre-req that have not been answered in post-resp yet.
 *
 * <p>Why track unanswered requests: when the upstream refuses connections or hangs, APISIX's post-resp call fails
 * (502) or times out without ever calling the runner, so post-resp alone would never see the failures that matter
 * most. Pre-req tags each request it lets through with an id header ({@link #ID_HEADER}); post-resp reads it back
 * through {@code $http_x_a6_fallback_id}, which also gives the latency. A tagged request older than
 * {@code unanswered_timeout_ms} counts as a failure only if no response at all arrived on the route since it started
 * ("the route went silent"); otherwise it is dropped uncounted, since a later plugin (authentication, rate limiting)
 * may simply have rejected it before the upstream.
 */
public final class RouteState {

    /** The correlation header pre-req sets and post-resp reads back. */
    public static final String ID_HEADER = "x-a6-fallback-id";

    public static final String ID_VAR = "http_x_a6_fallback_id";
    /** Bound on tracked requests per route; beyond it requests are let through untracked. */
    static final int MAX_PENDING = 100_000;

    /** Whether pre-req lets a request through. */
    public enum Admission {
        ADMIT,
        REJECT
    }

    /** A request let through; {@code permitted} when it holds a breaker permission that must be recorded. */
    record Pending(long startNanos, boolean permitted) {}

    private record Queued(String id, long startNanos) {}

    private final Object fingerprint;
    private final Breaker breaker;
    private final Optional<Cache<CacheKey, CachedResponse>> cache;
    private final Ticker ticker;
    private final Duration unansweredTimeout;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Queued> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Ticker reading of the last post-resp call; {@link Long#MIN_VALUE} before the first. */
    private final AtomicLong lastResponseNanos = new AtomicLong(Long.MIN_VALUE);

    private final AtomicLong probeCounter = new AtomicLong();

    RouteState(String routeId, FallbackConfig config, Ticker ticker) {
        this.fingerprint = config.stateFingerprint();
        this.ticker = requireNonNull(ticker, "ticker");
        this.breaker = Breaker.of("adaptive-fallback/" + routeId, config.breaker(), ticker);
        this.unansweredTimeout = config.unansweredTimeout();
        if (config.cache().maxEntries() == 0) {
            this.cache = Optional.empty();
        } else {
            this.cache = Optional.of(Caffeine.newBuilder()
                    .maximumSize(config.cache().maxEntries())
                    .expireAfterWrite(config.cache().maxAge())
                    .ticker(ticker::nanoTime)
                    .executor(Runnable::run)
                    .build());
        }
    }

    /** The configuration instance last found to match: APISIX's value is parsed once and reused per request. */
    private volatile FallbackConfig lastMatched;

    /**
     * Whether {@code config} has this state's breaker, cache and key settings. The same instance as last time is
     * answered without building and comparing the fingerprint (this runs on every request).
     */
    boolean matches(FallbackConfig config) {
        if (config == lastMatched) {
            return true;
        }
        boolean same = fingerprint.equals(config.stateFingerprint());
        if (same) {
            lastMatched = config;
        }
        return same;
    }

    Object fingerprint() {
        return fingerprint;
    }

    public Breaker breaker() {
        return breaker;
    }

    public BreakerState breakerState() {
        return breaker.state();
    }

    public long now() {
        return ticker.nanoTime();
    }

    /**
     * Decides whether a request goes to the upstream. Closed: always. Open or half-open: only a {@code share} of
     * requests may ask for a half-open probe permission (after the open wait); the rest are rejected.
     */
    public Admission admit(double share) {
        sweep();
        BreakerState state = breaker.state();
        return switch (state) {
            case CLOSED, DISABLED, METRICS_ONLY -> breaker.tryAcquirePermission() ? Admission.ADMIT : Admission.REJECT;
            case FORCED_OPEN -> Admission.REJECT;
            case OPEN, HALF_OPEN ->
                shareAllows(share) && breaker.tryAcquirePermission() ? Admission.ADMIT : Admission.REJECT;
        };
    }

    /**
     * Lane mode's pre-req check, which takes no permission (the lane does, so a request that a later plugin rejects
     * holds none): closed lets everything through; open or half-open only every 1/share-th request, to probe.
     */
    public boolean wouldAdmit(double share) {
        return switch (breaker.state()) {
            case CLOSED, DISABLED, METRICS_ONLY -> true;
            case FORCED_OPEN -> false;
            case OPEN, HALF_OPEN -> shareAllows(share);
        };
    }

    /** Deterministic share: request n passes when floor((n + 1) x share) > floor(n x share). */
    private boolean shareAllows(double share) {
        long n = probeCounter.getAndIncrement();
        return Math.floor((n + 1) * share) > Math.floor(n * share);
    }

    /**
     * Tracks an admitted request under {@code id}. Returns false (and releases the permission) when the route already
     * tracks {@link #MAX_PENDING} requests.
     */
    public boolean track(String id) {
        if (queued.incrementAndGet() > MAX_PENDING) {
            queued.decrementAndGet();
            breaker.record(Outcome.ignored(), Duration.ZERO, null);
            return false;
        }
        long now = ticker.nanoTime();
        pending.put(id, new Pending(now, true));
        order.add(new Queued(id, now));
        return true;
    }

    /**
     * Ends tracking of {@code id} on its post-resp call. Returns the latency when the request was tracked and not
     * swept yet; its breaker permission is then the caller's to record.
     */
    public Optional<Duration> complete(String id) {
        long now = ticker.nanoTime();
        lastResponseNanos.accumulateAndGet(now, Math::max);
        Pending p = pending.remove(id);
        sweep();
        if (p == null) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, now - p.startNanos())));
    }

    /** Records a post-resp outcome that holds a permission from {@link #track}. */
    public void record(Outcome outcome, Duration latency) {
        breaker.record(outcome, latency, null);
    }

    /** Notes a post-resp call that was not tracked (no pre-req on the route, or tracking was full). */
    public void sawUntrackedResponse() {
        lastResponseNanos.accumulateAndGet(ticker.nanoTime(), Math::max);
    }

    /**
     * Expires tracked requests older than the unanswered timeout (see the class comment for how they count), and drops
     * answered requests from the head of the order queue so it stays about as long as the requests in flight.
     */
    public void sweep() {
        long now = ticker.nanoTime();
        long timeout = unansweredTimeout.toNanos();
        for (Queued head = order.peek(); head != null; head = order.peek()) {
            boolean expired = now - head.startNanos() >= timeout;
            Pending p = pending.get(head.id());
            if (!expired && p != null) {
                break; // the oldest request in flight is still within its time
            }
            if (!order.remove(head)) {
                continue; // another thread took it
            }
            queued.decrementAndGet();
            if (p == null || !pending.remove(head.id(), p) || !p.permitted()) {
                continue; // answered meanwhile
            }
            if (lastResponseNanos.get() < p.startNanos()) {
                breaker.record(
                        Outcome.failure(),
                        Duration.ofNanos(now - p.startNanos()),
                        new TimeoutException("no post-resp call within " + unansweredTimeout));
            } else {
                breaker.record(Outcome.ignored(), Duration.ZERO, null);
            }
        }
    }

    /** Requests let through and not answered or expired yet. */
    public int pendingCount() {
        return pending.size();
    }

    public Optional<CachedResponse> cached(CacheKey key) {
        return cache.map(c -> c.getIfPresent(key));
    }

    public void store(CacheKey key, CachedResponse response) {
        cache.ifPresent(c -> c.put(key, response));
    }

    public long cacheSize() {
        return cache.map(c -> {
                    c.cleanUp();
                    return c.estimatedSize();
                })
                .orElse(0L);
    }
}
