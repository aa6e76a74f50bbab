package org.a6suite.plugins.fallback.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.a6suite.config.InvalidFieldException;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugins.fallback.CacheSettings;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.plugins.fallback.HealthGate;
import org.a6suite.plugins.fallback.KeySpec;
import org.a6suite.plugins.fallback.LaneSettings;
import org.a6suite.plugins.fallback.StaticResponse;
import org.a6suite.plugins.fallback.StatusSet;
import org.a6suite.resilience.AdaptiveTimeoutConfig;
import org.a6suite.resilience.BreakerConfig;
import tools.jackson.databind.JsonNode;

/**
 * An adaptive-fallback value as written ({@code schemas/adaptive-fallback.json}, defaults filled in), bound by
 * Jackson; {@link #toConfig()} builds the plugin's {@link FallbackConfig} and checks what the schema cannot (status
 * sets that must not overlap, exactly one lane upstream, the inline upstream's own shape).
 */
public record FallbackValue(
        KeySpec key,
        List<String> methods,
        Cache cache,
        List<JsonNode> goodStatuses,
        List<JsonNode> failureStatuses,
        Breaker breaker,
        @JsonProperty("unanswered_timeout_ms") Duration unanswered,
        @JsonProperty("static") Optional<Static> staticResponse,
        boolean replaceFailures,
        Optional<String> upstreamKey,
        Health health,
        Optional<Lane> lane) {

    /** {@code cache}. */
    public record Cache(
            int maxEntries,
            int maxBodyBytes,
            @JsonProperty("max_age_ms") Duration maxAge,
            boolean cacheSetCookie) {}

    /** {@code breaker}: the shared breaker vocabulary plus the half-open share. */
    public record Breaker(
            BreakerConfig.WindowType windowType,
            int windowSize,
            int minimumCalls,
            float failureRateThreshold,
            @JsonProperty("slow_call_ms") Duration slowCall,
            float slowCallRateThreshold,
            @JsonProperty("wait_in_open_ms") Duration waitInOpen,
            int permittedInHalfOpen,
            double halfOpenShare) {}

    /** {@code static}. */
    public record Static(int status, Map<String, String> headers, String body, String contentType) {}

    /** {@code health}. */
    public record Health(
            boolean enabled,
            double errorRate,
            int minRequests,
            @JsonProperty("max_age_ms") Duration maxAge) {}

    /** {@code lane}. */
    public record Lane(
            Optional<JsonNode> upstreamId,
            Optional<JsonNode> upstream,
            Attempt attemptTimeout,
            int retries,
            Optional<Hedge> hedge,
            int commitBytes) {}

    /** {@code lane.attempt_timeout}: the shared adaptive timeout plus its window. */
    public record Attempt(
            double percentile,
            double multiplier,
            @JsonProperty("floor_ms") Duration floor,
            @JsonProperty("ceiling_ms") Duration ceiling,
            @JsonProperty("warmup_ms") Duration warmup,
            int minSamples,
            @JsonProperty("window_ms") Duration window) {}

    /** {@code lane.hedge}: the shared hedge plus the delay used until latencies are known. */
    public record Hedge(
            double percentile,
            double maxExtraRatio,
            @JsonProperty("warmup_delay_ms") Duration warmupDelay) {}

    /**
     * The plugin's config.
     *
     * @throws InvalidFieldException naming the field (from the root) when a cross-field rule fails
     */
    public FallbackConfig toConfig() {
        Set<HttpMethod> methodSet = EnumSet.noneOf(HttpMethod.class);
        methods.forEach(m -> methodSet.add(HttpMethod.valueOf(m.toUpperCase(Locale.ROOT))));
        StatusSet good = statuses("good_statuses", goodStatuses);
        StatusSet failure = statuses("failure_statuses", failureStatuses);
        if (good.intersects(failure)) {
            throw new InvalidFieldException("failure_statuses", failure, "no status also in good_statuses " + good);
        }
        BreakerConfig breakerConfig;
        try {
            breakerConfig = BreakerConfig.builder()
                    .windowType(breaker.windowType())
                    .windowSize(breaker.windowSize())
                    .minimumCalls(breaker.minimumCalls())
                    .failureRateThreshold(breaker.failureRateThreshold())
                    .slowCallDuration(breaker.slowCall())
                    .slowCallRateThreshold(breaker.slowCallRateThreshold())
                    .waitInOpenState(breaker.waitInOpen())
                    .permittedCallsInHalfOpen(breaker.permittedInHalfOpen())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("breaker", "a rejected combination", e.getMessage());
        }
        KeySpec normalizedKey = new KeySpec(
                List.copyOf(new LinkedHashSet<>(key.args())),
                List.copyOf(new LinkedHashSet<>(key.headers().stream()
                        .map(h -> h.toLowerCase(Locale.ROOT))
                        .toList())));
        return new FallbackConfig(
                normalizedKey,
                methodSet,
                new CacheSettings(cache.maxEntries(), cache.maxBodyBytes(), cache.maxAge(), cache.cacheSetCookie()),
                good,
                failure,
                breakerConfig,
                breaker.halfOpenShare(),
                unanswered,
                staticResponse.map(FallbackValue::toStatic),
                replaceFailures,
                upstreamKey,
                new HealthGate(health.enabled(), health.errorRate(), health.minRequests(), health.maxAge()),
                lane.map(FallbackValue::toLane));
    }

    private static StaticResponse toStatic(Static s) {
        List<Headers.Header> headers = new ArrayList<>();
        s.headers().forEach((name, value) -> headers.add(new Headers.Header(name, value)));
        return new StaticResponse(s.status(), Headers.of(headers), Body.of(s.body()), s.contentType());
    }

    private static LaneSettings toLane(Lane lane) {
        Optional<String> id = lane.upstreamId().filter(n -> !n.isNull()).map(JsonNode::asString);
        Optional<UpstreamSpec> inline = lane.upstream().filter(n -> !n.isNull()).map(n -> {
            try {
                return UpstreamSpec.parse("lane.upstream", n);
            } catch (IllegalArgumentException e) {
                String message = e.getMessage();
                int colon = message.indexOf(": ");
                int open = message.indexOf(" (expected: ");
                if (colon > 0 && open > colon) {
                    throw new InvalidFieldException(
                            message.substring(0, colon),
                            message.substring(colon + 2, open),
                            message.substring(open + " (expected: ".length(), message.length() - 1));
                }
                throw new InvalidFieldException("lane.upstream", "an object", message);
            }
        });
        if (id.isPresent() == inline.isPresent()) {
            throw new InvalidFieldException(
                    "lane",
                    id.isPresent() ? "both upstream_id and upstream" : "neither",
                    "exactly one of upstream_id (an APISIX upstream in etcd) and upstream (inline nodes)");
        }
        Attempt a = lane.attemptTimeout();
        AdaptiveTimeoutConfig attempt;
        try {
            attempt = AdaptiveTimeoutConfig.builder()
                    .percentile(a.percentile())
                    .multiplier(a.multiplier())
                    .floor(a.floor())
                    .ceiling(a.ceiling())
                    .minSamples(a.minSamples())
                    .warmupTimeout(a.warmup())
                    .window(a.window())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("lane.attempt_timeout", "a rejected combination", e.getMessage());
        }
        Optional<LaneSettings.HedgeSettings> hedge = lane.hedge()
                .map(h -> new LaneSettings.HedgeSettings(h.percentile(), h.warmupDelay(), h.maxExtraRatio()));
        return new LaneSettings(id, inline, attempt, lane.retries(), hedge, lane.commitBytes());
    }

    private static StatusSet statuses(String field, List<JsonNode> entries) {
        try {
            return StatusSet.parse(entries.stream().map(JsonNode::asString).toList());
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int open = message.indexOf(" (expected: ");
            throw open > 0
                    ? new InvalidFieldException(
                            field,
                            message.substring(0, open),
                            message.substring(open + " (expected: ".length(), message.length() - 1))
                    : new InvalidFieldException(field, message, "status codes, \"Nxx\" or \"from-to\"");
        }
    }
}
