package org.a6suite.ai.internal;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.a6suite.ai.AiGatewayConfig.Target;

/**
 * What accounting derives from a target and would otherwise derive again on every call: its prices, its node
 * ({@code host:port}, for the health reporter), and the label maps of its metrics, one per outcome or estimate flag
 * seen. Computed once per target of a parsed configuration; the labels come from the configuration and the small
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
    final Map<String, String> durationLabels;
    final Map<String, String> costLabels;
    private final Map<String, Map<String, String>> attemptLabels = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Map<String, String>>> requestLabels = new ConcurrentHashMap<>();
    private final Map<String, String> inputEstimated;
    private final Map<String, String> inputCounted;
    private final Map<String, String> outputEstimated;
    private final Map<String, String> outputCounted;

    private TargetFacts(Target target) {
        this.target = target;
        this.prices = TokenPrices.of(target);
        this.node = node(target);
        String provider = target.type().wireName();
        this.durationLabels = Map.of("target", target.id(), "provider", provider);
        this.costLabels = Map.of("target", target.id(), "provider", provider, "model", target.model());
        this.inputEstimated = tokens("input", true);
        this.inputCounted = tokens("input", false);
        this.outputEstimated = tokens("output", true);
        this.outputCounted = tokens("output", false);
    }

    static TargetFacts of(Target target) {
        return FACTS.get(target);
    }

    /** Labels of {@code a6_ai_attempts_total} for an attempt of this target that ended in {@code outcome}. */
    Map<String, String> attemptLabels(String outcome) {
        return attemptLabels.computeIfAbsent(
                outcome,
                o -> Map.of("target", target.id(), "provider", target.type().wireName(), "outcome", o));
    }

    /** Labels of {@code a6_ai_requests_total} for a call of {@code operation} this target served. */
    Map<String, String> requestLabels(String operation, String outcome) {
        return requestLabels
                .computeIfAbsent(operation, o -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        outcome,
                        k -> Map.of(
                                "target",
                                target.id(),
                                "provider",
                                target.type().wireName(),
                                "model",
                                target.model(),
                                "operation",
                                operation,
                                "outcome",
                                outcome));
    }

    /** Labels of {@code a6_ai_tokens_total}. */
    Map<String, String> tokenLabels(boolean input, boolean estimated) {
        return input ? (estimated ? inputEstimated : inputCounted) : (estimated ? outputEstimated : outputCounted);
    }

    private Map<String, String> tokens(String direction, boolean estimated) {
        return Map.of(
                "target",
                target.id(),
                "provider",
                target.type().wireName(),
                "model",
                target.model(),
                "direction",
                direction,
                "estimated",
                Boolean.toString(estimated));
    }

    private static String node(Target target) {
        URI uri = URI.create(target.endpoint());
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }
}
