package org.a6suite.ai.internal;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.a6suite.ai.AiGatewayConfig.Target;

/**
 * What accounting derives from a target and would otherwise derive again on every call: its prices, its node
 * ({@code host:port}, for the health reporter), and its metric series ({@link Series}: label maps and bound
 * handles), one per outcome or estimate flag seen. Computed once per target of a parsed configuration; the labels come from the configuration and the small
 * fixed set of outcome names, never from request data, so the per-outcome maps stay few.
 */
final class TargetFacts {

    /**
     * Per target instance (weak, identity keys): a configuration that is replaced lets its targets and their facts
     * be collected.
     */
    private static final LoadingCache<Target, TargetFacts> FACTS =
            Caffeine.newBuilder().weakKeys().executor(Runnable::run).build(TargetFacts::new);

    final Target target;
    final TokenPrices prices;
    final String node;
    /** The target's name for the health reporter, {@code ai/<id>}. */
    final String healthName;

    final Series.Histogram attemptDuration;
    final Series.Histogram timeToFirstToken;
    final Series.Counter cost;
    private final Map<String, Series.Counter> attempts = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Series.Counter>> requests = new ConcurrentHashMap<>();
    private final Series.Counter inputEstimated;
    private final Series.Counter inputCounted;
    private final Series.Counter outputEstimated;
    private final Series.Counter outputCounted;

    private TargetFacts(Target target) {
        this.target = target;
        this.prices = TokenPrices.of(target);
        this.node = node(target);
        this.healthName = "ai/" + target.id();
        String provider = target.type().wireName();
        Map<String, String> durationLabels = Map.of("target", target.id(), "provider", provider);
        this.attemptDuration =
                new Series.Histogram(Accounting.ATTEMPT_DURATION, Accounting.ATTEMPT_DURATION_HELP, durationLabels);
        this.timeToFirstToken = new Series.Histogram(
                Accounting.TIME_TO_FIRST_TOKEN, Accounting.TIME_TO_FIRST_TOKEN_HELP, durationLabels);
        this.cost = new Series.Counter(
                Accounting.COST,
                Accounting.COST_HELP,
                Map.of("target", target.id(), "provider", provider, "model", target.model()));
        this.inputEstimated = tokens("input", true);
        this.inputCounted = tokens("input", false);
        this.outputEstimated = tokens("output", true);
        this.outputCounted = tokens("output", false);
    }

    static TargetFacts of(Target target) {
        return FACTS.get(target);
    }

    /** {@code a6_ai_attempts_total} for an attempt of this target that ended in {@code outcome}. */
    Series.Counter attempts(String outcome) {
        return attempts.computeIfAbsent(
                outcome,
                o -> new Series.Counter(
                        Accounting.ATTEMPTS,
                        Accounting.ATTEMPTS_HELP,
                        Map.of("target", target.id(), "provider", target.type().wireName(), "outcome", o)));
    }

    /** {@code a6_ai_requests_total} for a call of {@code operation} this target served. */
    Series.Counter requests(String operation, String outcome) {
        return requests.computeIfAbsent(operation, o -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        outcome,
                        k -> new Series.Counter(
                                Accounting.REQUESTS,
                                Accounting.REQUESTS_HELP,
                                modelLabels("operation", operation, "outcome", outcome)));
    }

    /** {@code a6_ai_tokens_total} of one direction. */
    Series.Counter tokens(boolean input, boolean estimated) {
        return input ? (estimated ? inputEstimated : inputCounted) : (estimated ? outputEstimated : outputCounted);
    }

    private Series.Counter tokens(String direction, boolean estimated) {
        return new Series.Counter(
                Accounting.TOKENS,
                Accounting.TOKENS_HELP,
                modelLabels("direction", direction, "estimated", Boolean.toString(estimated)));
    }

    /** The target's identifying labels (target, provider, model) and two more. */
    private Map<String, String> modelLabels(String key1, String value1, String key2, String value2) {
        return Map.of(
                "target",
                target.id(),
                "provider",
                target.type().wireName(),
                "model",
                target.model(),
                key1,
                value1,
                key2,
                value2);
    }

    private static String node(Target target) {
        URI uri = URI.create(target.endpoint());
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }
}
