package org.a6suite.plugins.fallback;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import org.a6suite.plugins.fallback.internal.UpstreamSpec;
import org.a6suite.resilience.AdaptiveTimeoutConfig;

/**
 * Lane mode ({@code "lane": {...}} in the route's value): pre-req hands admitted requests to the runner's HTTP lane,
 * and the lane proxies them to the real upstream named here. Every field and default is in
 * {@code docs/plugins/adaptive-fallback.md}.
 *
 * @param upstreamId     an APISIX upstream id read and watched at {@code /apisix/upstreams/<id>} in etcd; exclusive
 *                       with {@code inline}
 * @param inline         the upstream written in the route's value (APISIX's upstream schema: nodes, timeout, scheme)
 * @param attemptTimeout the adaptive attempt deadline: multiplier x percentile of observed latency, within
 *                       [floor, ceiling], and never above the upstream's {@code timeout.connect + timeout.read}
 * @param retries        attempts on another node after the first (idempotent methods, or any method when the request
 *                       never reached the backend); default 1, range 0..5
 * @param hedge          a second attempt to another node when the first is slower than the hedge percentile
 * @param commitBytes    response bytes held back before the answer is committed (so a failure before then can still
 *                       fall back); default 65536, range 0..16 MiB
 */
public record LaneSettings(
        Optional<String> upstreamId,
        Optional<UpstreamSpec> inline,
        AdaptiveTimeoutConfig attemptTimeout,
        int retries,
        Optional<HedgeSettings> hedge,
        int commitBytes) {

    public LaneSettings {
        requireNonNull(upstreamId, "upstreamId");
        requireNonNull(inline, "inline");
        requireNonNull(attemptTimeout, "attemptTimeout");
        requireNonNull(hedge, "hedge");
        if (upstreamId.isPresent() == inline.isPresent()) {
            throw new IllegalArgumentException("lane: exactly one of upstream_id and upstream");
        }
    }

    /**
     * Hedging: when the first attempt has not answered after {@code percentile} of observed latency (or
     * {@code warmupDelay} before enough samples), a second one starts on another node; the first to answer wins.
     *
     * @param percentile   default 95, range (0, 100)
     * @param warmupDelay  default 1 s
     * @param maxExtraLoad hedges per request at most; default 0.05, range (0, 1]
     */
    public record HedgeSettings(double percentile, Duration warmupDelay, double maxExtraLoad) {
        public HedgeSettings {
            requireNonNull(warmupDelay, "warmupDelay");
        }
    }
}
