package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.leader.Leadership;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.a6suite.optimizer.writer.WriteResult;
import tools.jackson.databind.JsonNode;

/**
 * The optimizer as the scheduler and the REST layer see it: wires the loop ({@link OptimizerLoop}), the evaluations
 * ({@link UpstreamEvaluator}), the guard ({@link ChangeGuard}), the series ({@link SeriesRecorder}) and the operator
 * actions ({@link OperatorActions}), and answers the API's reads from them. Every interval, every replica evaluates
 * every upstream (so any replica can serve recommendations); the leader also applies them for upstreams in
 * {@code auto} mode that are not paused, and watches each applied change for its guard window, rolling it back and
 * holding the upstream if the error rate got worse.
 */
public final class OptimizerService {

    private final EtcdMirror mirror;
    private final OptimizerState state;
    private final Leadership leadership;
    private final UpstreamEvaluator evaluator;
    private final SeriesRecorder series;
    private final OptimizerLoop loop;
    private final OperatorActions actions;

    public OptimizerService(
            EtcdMirror mirror,
            OptimizerState state,
            UpstreamWriter writer,
            Leadership leadership,
            Clock clock,
            int healthStaleIntervals,
            int seriesLimit,
            MeterRegistry meters) {
        this.mirror = requireNonNull(mirror, "mirror");
        this.state = requireNonNull(state, "state");
        this.leadership = requireNonNull(leadership, "leadership");
        requireNonNull(writer, "writer");
        requireNonNull(clock, "clock");
        this.evaluator = new UpstreamEvaluator(state, clock, healthStaleIntervals);
        this.series = new SeriesRecorder(clock, seriesLimit);
        this.loop = new OptimizerLoop(
                mirror,
                state,
                writer,
                leadership,
                evaluator,
                new ChangeGuard(state, writer, leadership, clock),
                series,
                meters);
        this.actions = new OperatorActions(mirror, state, writer, leadership, evaluator);
        Gauge.builder("a6.optimizer.leader", () -> leadership.isLeader() ? 1 : 0)
                .description("1 while this replica is the leader")
                .register(meters);
        Gauge.builder("a6.optimizer.upstreams", evaluator, UpstreamEvaluator::size)
                .description("Upstreams evaluated")
                .register(meters);
    }

    /** One pass over every upstream. Safe to call from a scheduler; passes never overlap. */
    public void tick() {
        loop.tick();
    }

    // ---- reads for the API ----

    public Map<UpstreamRef, UpstreamConfig> upstreams() {
        return mirror.snapshot().upstreams();
    }

    public Optional<Recommendation> recommendation(UpstreamRef ref) {
        return evaluator.recommendation(ref);
    }

    public Map<String, NodeHealth> health(UpstreamRef ref) {
        return evaluator.health(mirror.snapshot(), ref);
    }

    public List<SeriesPoint> series(UpstreamRef ref) {
        return series.series(ref);
    }

    public OptimizerState state() {
        return state;
    }

    public Leadership leadership() {
        return leadership;
    }

    // ---- operator actions ----

    /** The recommendation for {@code ref} under {@code overrides} merged over its policy; changes nothing. */
    public Recommendation dryRun(UpstreamRef ref, JsonNode overrides) {
        return actions.dryRun(ref, overrides);
    }

    /** Applies the current recommendation (recommend or auto mode); leader only. */
    public WriteResult apply(UpstreamRef ref) {
        return actions.apply(ref);
    }

    /** Rolls back the newest applied change (or the one given); leader only. */
    public WriteResult rollback(UpstreamRef ref, Optional<String> decisionId) {
        return actions.rollback(ref, decisionId);
    }

    /** The upstream does not exist. */
    public static final class UnknownUpstreamException extends RuntimeException {
        public UnknownUpstreamException(UpstreamRef ref) {
            super("upstream: " + ref + " (expected: an upstream in etcd with nodes)");
        }
    }

    /** No such decision. */
    public static final class UnknownDecisionException extends RuntimeException {
        public UnknownDecisionException(String id) {
            super("decision: " + id + " (expected: an applied decision of this upstream)");
        }
    }

    /** Writes go to the leader. */
    public static final class NotLeaderException extends RuntimeException {
        private final String leader;

        public NotLeaderException(String leader) {
            super("leader: this replica is not the leader (expected: send writes to the leader, " + leader + ")");
            this.leader = leader;
        }

        public String leader() {
            return leader;
        }
    }

    /** The upstream's mode is off. */
    public static final class ModeOffException extends RuntimeException {
        public ModeOffException(UpstreamRef ref) {
            super("mode: off for " + ref + " (expected: recommend or auto to apply)");
        }
    }
}
