package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.a6suite.optimizer.model.ClusterSnapshot;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.EvaluationInput;
import org.a6suite.optimizer.policy.HealthMerger;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.PolicyEngine;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.policy.UpstreamState;
import org.a6suite.optimizer.writer.Baselines;
import org.a6suite.optimizer.writer.Decision;
import org.a6suite.optimizer.writer.PlannedChange;

/**
 * Runs the policy engine on one upstream at a time and remembers, per upstream, the engine's state and the latest
 * recommendation (so any replica can serve recommendations, and a replan continues from the engine's memory).
 */
final class UpstreamEvaluator {

    /**
     * What one evaluation was made from: the cluster as read, the merged health, the policy, the upstream's decisions
     * (newest first) and the engine state to evaluate from; a writer attempt replans on it with the upstream as stored.
     */
    record Basis(
            ClusterSnapshot snapshot,
            HealthMerger.Merged health,
            Policy policy,
            List<Decision> history,
            UpstreamState engineState) {}

    /** An evaluation of the loop: its basis, carrying the engine state it produced, and its recommendation. */
    record Evaluated(Basis basis, Recommendation recommendation) {}

    private final OptimizerState state;
    private final PolicyEngine engine;
    private final HealthMerger merger;
    private final Map<UpstreamRef, UpstreamState> engineStates = new ConcurrentHashMap<>();
    private final Map<UpstreamRef, Recommendation> latest = new ConcurrentHashMap<>();

    UpstreamEvaluator(OptimizerState state, Clock clock, int healthStaleIntervals) {
        this.state = requireNonNull(state, "state");
        this.engine = new PolicyEngine(clock);
        this.merger = new HealthMerger(clock, healthStaleIntervals);
    }

    /** The basis for evaluating {@code ref} under {@code policy} now, from the engine's remembered state. */
    Basis basis(ClusterSnapshot snapshot, UpstreamRef ref, Policy policy) {
        return new Basis(
                snapshot,
                merger.merge(ref, snapshot.health().values()),
                policy,
                state.history(ref),
                engineStates.getOrDefault(ref, UpstreamState.INITIAL));
    }

    /** Evaluates {@code config} under its stored policy, advancing the engine's memory and the latest recommendation. */
    Evaluated evaluate(ClusterSnapshot snapshot, UpstreamConfig config) {
        UpstreamRef ref = config.ref();
        Basis basis = basis(snapshot, ref, state.policy(ref));
        PolicyEngine.Evaluation ev = engine.evaluate(input(basis, config), basis.engineState());
        engineStates.put(ref, ev.state());
        latest.put(ref, ev.recommendation());
        return new Evaluated(
                new Basis(basis.snapshot(), basis.health(), basis.policy(), basis.history(), ev.state()),
                ev.recommendation());
    }

    /** The recommendation on {@code basis}, without touching the engine's memory (a dry run). */
    Recommendation preview(Basis basis, UpstreamConfig config) {
        return engine.evaluate(input(basis, config), basis.engineState()).recommendation();
    }

    /** Recomputes the change on the upstream as stored now (called by the writer on every attempt). */
    Optional<PlannedChange> replan(Basis basis, UpstreamConfig fresh, String actor) {
        Recommendation r = preview(basis, fresh);
        if (!r.hasChange()) {
            return Optional.empty();
        }
        return Optional.of(new PlannedChange(r.timeout(), r.weights(), r.reasons(), r.inputs(), "apply", actor, null));
    }

    private EvaluationInput input(Basis basis, UpstreamConfig config) {
        Optional<Instant> lastTimeout = basis.history().stream()
                .filter(Decision::timeoutChanged)
                .findFirst()
                .map(d -> Instant.ofEpochMilli(d.atMs()));
        Optional<Instant> lastWeights = basis.history().stream()
                .filter(Decision::weightsChanged)
                .findFirst()
                .map(d -> Instant.ofEpochMilli(d.atMs()));
        return new EvaluationInput(
                config,
                basis.health(),
                basis.policy(),
                lastTimeout,
                lastWeights,
                Baselines.effective(state.baseline(config.ref()), config.weights()),
                basis.snapshot().routesOverridingTimeout(config.ref()));
    }

    /** Forgets the upstreams no longer in {@code snapshot}. */
    void retain(ClusterSnapshot snapshot) {
        latest.keySet().removeIf(ref -> !snapshot.upstreams().containsKey(ref));
        engineStates.keySet().removeIf(ref -> !snapshot.upstreams().containsKey(ref));
    }

    Optional<Recommendation> recommendation(UpstreamRef ref) {
        return Optional.ofNullable(latest.get(ref));
    }

    Collection<Recommendation> recommendations() {
        return latest.values();
    }

    /** How many upstreams have a recommendation. */
    int size() {
        return latest.size();
    }

    /** The health of {@code ref}'s nodes merged over the gateways' reports in {@code snapshot}. */
    Map<String, NodeHealth> health(ClusterSnapshot snapshot, UpstreamRef ref) {
        return merger.merge(ref, snapshot.health().values()).nodes();
    }
}
