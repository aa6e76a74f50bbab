package org.a6suite.ai.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.a6suite.ai.AiGatewayConfig.Strategy;

/**
 * Orders a call's eligible targets; the first is tried first and the rest are the fallback chain. Targets whose
 * breaker is open go last (they fail fast, and a breaker past its wait lets a probe through).
 */
public final class Router {

    private final DoubleSupplier random;

    /** @param random uniform values in [0, 1) for the weighted strategy; tests pass a fixed sequence */
    public Router(DoubleSupplier random) {
        this.random = random;
    }

    /**
     * @param operationKey    the latency window to compare under {@link Strategy#LATENCY}
     * @param promptTokens    estimated input tokens, for {@link Strategy#COST}
     * @param completionTokens expected output tokens (the request's max tokens or a default), for {@link Strategy#COST}
     */
    public List<TargetRuntime> order(
            Strategy strategy,
            List<TargetRuntime> eligible,
            String operationKey,
            long promptTokens,
            long completionTokens) {
        if (eligible.size() == 1 && strategy != Strategy.WEIGHTED) {
            // Every order of one target is that target (the weighted strategy still draws its random number).
            return List.of(eligible.get(0));
        }
        List<TargetRuntime> ordered = switch (strategy) {
            case PRIORITY ->
                sorted(eligible, Comparator.comparingInt(r -> r.target().priority()));
            case WEIGHTED -> weighted(eligible);
            case LATENCY ->
                sorted(
                        eligible,
                        Comparator.comparing(
                                // Unknown latency sorts first, so a new or idle target gets the samples it needs.
                                r -> r.median(operationKey).orElse(Duration.ZERO)));
            case COST ->
                sorted(
                        eligible,
                        Comparator.comparing(r -> TokenPrices.of(r.target()).cost(promptTokens, completionTokens)));
        };
        List<TargetRuntime> result = new ArrayList<>(ordered.size());
        ordered.stream().filter(r -> !r.isOpen()).forEach(result::add);
        ordered.stream().filter(TargetRuntime::isOpen).forEach(result::add);
        return result;
    }

    private static List<TargetRuntime> sorted(List<TargetRuntime> eligible, Comparator<TargetRuntime> order) {
        // A stable sort: ties keep configuration order.
        List<TargetRuntime> list = new ArrayList<>(eligible);
        list.sort(order);
        return list;
    }

    /** Weighted random order without replacement (Efraimidis-Spirakis: key = u^(1/w), largest first). */
    private List<TargetRuntime> weighted(List<TargetRuntime> eligible) {
        record Keyed(TargetRuntime runtime, double key) {}
        List<Keyed> keyed = new ArrayList<>();
        for (TargetRuntime r : eligible) {
            double u = Math.max(Double.MIN_VALUE, random.getAsDouble());
            keyed.add(new Keyed(r, Math.pow(u, 1.0 / r.target().weight())));
        }
        keyed.sort(Comparator.comparingDouble(Keyed::key).reversed());
        return keyed.stream().map(Keyed::runtime).toList();
    }
}
