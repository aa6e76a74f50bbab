package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.leader.Leadership;
import org.a6suite.optimizer.model.ClusterSnapshot;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Mode;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.PolicyCodec;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.writer.Decision;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.a6suite.optimizer.writer.WriteResult;
import tools.jackson.databind.JsonNode;

/** What an operator asks of the optimizer: a dry run, applying the current recommendation, rolling a change back. */
final class OperatorActions {

    private final EtcdMirror mirror;
    private final OptimizerState state;
    private final UpstreamWriter writer;
    private final Leadership leadership;
    private final UpstreamEvaluator evaluator;

    OperatorActions(
            EtcdMirror mirror,
            OptimizerState state,
            UpstreamWriter writer,
            Leadership leadership,
            UpstreamEvaluator evaluator) {
        this.mirror = requireNonNull(mirror, "mirror");
        this.state = requireNonNull(state, "state");
        this.writer = requireNonNull(writer, "writer");
        this.leadership = requireNonNull(leadership, "leadership");
        this.evaluator = requireNonNull(evaluator, "evaluator");
    }

    /** The recommendation for {@code ref} under {@code overrides} merged over its policy; changes nothing. */
    Recommendation dryRun(UpstreamRef ref, JsonNode overrides) {
        ClusterSnapshot snapshot = mirror.snapshot();
        UpstreamConfig config =
                snapshot.upstream(ref).orElseThrow(() -> new OptimizerService.UnknownUpstreamException(ref));
        Policy policy = PolicyCodec.merge(state.policy(ref), overrides, "");
        if (policy.mode() == Mode.OFF) {
            // a dry run shows what the policy would do, whatever its mode says
            policy = PolicyCodec.merge(policy, PolicyCodec.toJson(policy).put("mode", "recommend"), "");
        }
        // Evaluate on a copy of the engine's memory: the dry run must not advance it.
        return evaluator.preview(evaluator.basis(snapshot, ref, policy), config);
    }

    /** Applies the current recommendation (recommend or auto mode); leader only. */
    WriteResult apply(UpstreamRef ref) {
        requireLeader();
        ClusterSnapshot snapshot = mirror.snapshot();
        requireKnown(snapshot, ref);
        Policy policy = state.policy(ref);
        if (policy.mode() == Mode.OFF) {
            throw new OptimizerService.ModeOffException(ref);
        }
        UpstreamEvaluator.Basis basis = evaluator.basis(snapshot, ref, policy);
        return writer.apply(ref, fresh -> evaluator.replan(basis, fresh, "api"), leadership.fence());
    }

    /** Rolls back the newest applied change (or the one given); leader only. */
    WriteResult rollback(UpstreamRef ref, Optional<String> decisionId) {
        requireLeader();
        requireKnown(mirror.snapshot(), ref);
        List<Decision> history = state.history(ref);
        Decision target = decisionId
                .map(id -> history.stream()
                        .filter(d -> d.id().equals(id))
                        .findFirst()
                        .orElseThrow(() -> new OptimizerService.UnknownDecisionException(id)))
                .orElseGet(() -> ChangeGuard.lastActive(history)
                        .orElseThrow(() -> new OptimizerService.UnknownDecisionException("latest")));
        return writer.apply(
                ref,
                fresh -> Optional.of(ChangeGuard.rollbackOf(
                        target, evaluator.recommendation(ref).orElse(null), "api", "requested by an operator")),
                leadership.fence());
    }

    private static void requireKnown(ClusterSnapshot snapshot, UpstreamRef ref) {
        if (snapshot.upstream(ref).isEmpty()) {
            throw new OptimizerService.UnknownUpstreamException(ref);
        }
    }

    private void requireLeader() {
        if (!leadership.isLeader()) {
            throw new OptimizerService.NotLeaderException(
                    leadership.currentLeader().orElse("unknown"));
        }
    }
}
