package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.leader.Leadership;
import org.a6suite.optimizer.model.ClusterSnapshot;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.EvaluationInput;
import org.a6suite.optimizer.policy.HealthMerger;
import org.a6suite.optimizer.policy.Mode;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.PolicyCodec;
import org.a6suite.optimizer.policy.PolicyEngine;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.policy.UpstreamState;
import org.a6suite.optimizer.writer.Baselines;
import org.a6suite.optimizer.writer.Decision;
import org.a6suite.optimizer.writer.PlannedChange;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.a6suite.optimizer.writer.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The optimizer loop: every interval, every replica evaluates every upstream (so any replica can serve
 * recommendations); the leader also applies them for upstreams in {@code auto} mode that are not paused, and watches
 * each applied change for its guard window, rolling it back and holding the upstream if the error rate got worse.
 */
public final class OptimizerService {

    private static final Logger log = LoggerFactory.getLogger(OptimizerService.class);

    private final EtcdMirror mirror;
    private final OptimizerState state;
    private final UpstreamWriter writer;
    private final Leadership leadership;
    private final Clock clock;
    private final PolicyEngine engine;
    private final HealthMerger merger;
    private final int seriesLimit;
    private final Counter evaluations;
    private final OptimizerMeters nodeMeters;

    private final Map<UpstreamRef, UpstreamState> engineStates = new ConcurrentHashMap<>();
    private final Map<UpstreamRef, Recommendation> latest = new ConcurrentHashMap<>();
    private final Map<UpstreamRef, Deque<SeriesPoint>> series = new ConcurrentHashMap<>();
    private final Object tickLock = new Object();

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
        this.writer = requireNonNull(writer, "writer");
        this.leadership = requireNonNull(leadership, "leadership");
        this.clock = requireNonNull(clock, "clock");
        this.engine = new PolicyEngine(clock);
        this.merger = new HealthMerger(clock, healthStaleIntervals);
        this.seriesLimit = seriesLimit;
        this.nodeMeters = new OptimizerMeters(meters);
        this.evaluations = Counter.builder("a6.optimizer.evaluations")
                .description("Upstream evaluations")
                .register(meters);
        Gauge.builder("a6.optimizer.leader", () -> leadership.isLeader() ? 1 : 0)
                .description("1 while this replica is the leader")
                .register(meters);
        Gauge.builder("a6.optimizer.upstreams", latest, Map::size)
                .description("Upstreams evaluated")
                .register(meters);
    }

    /** One pass over every upstream. Safe to call from a scheduler; passes never overlap. */
    public void tick() {
        if (!mirror.synced()) {
            return;
        }
        synchronized (tickLock) {
            ClusterSnapshot snapshot = mirror.snapshot();
            latest.keySet().removeIf(ref -> !snapshot.upstreams().containsKey(ref));
            engineStates.keySet().removeIf(ref -> !snapshot.upstreams().containsKey(ref));
            series.keySet().removeIf(ref -> !snapshot.upstreams().containsKey(ref));
            for (UpstreamConfig config : snapshot.upstreams().values()) {
                try {
                    evaluateAndAct(snapshot, config);
                } catch (RuntimeException e) {
                    log.warn("evaluating {} failed: {}", config.ref(), e.toString());
                }
            }
            nodeMeters.update(latest.values());
        }
    }

    private void evaluateAndAct(ClusterSnapshot snapshot, UpstreamConfig config) {
        UpstreamRef ref = config.ref();
        Policy policy = state.policy(ref);
        HealthMerger.Merged health = merger.merge(ref, snapshot.health().values());
        List<Decision> history = state.history(ref);
        EvaluationInput input = input(snapshot, config, health, policy, history);
        PolicyEngine.Evaluation ev = engine.evaluate(input, engineStates.getOrDefault(ref, UpstreamState.INITIAL));
        engineStates.put(ref, ev.state());
        Recommendation rec = ev.recommendation();
        latest.put(ref, rec);
        evaluations.increment();
        record(ref, config, health, rec);

        if (policy.mode() != Mode.AUTO
                || !leadership.isLeader()
                || state.pause(ref).isPresent()) {
            return;
        }
        if (guard(ref, policy, rec, history)) {
            return;
        }
        if (rec.hasChange()) {
            WriteResult r = writer.apply(
                    ref,
                    fresh -> replan(snapshot, fresh, health, policy, history, ev.state(), "auto"),
                    leadership.fence());
            if (r.outcome() != WriteResult.Outcome.APPLIED && r.outcome() != WriteResult.Outcome.NO_CHANGE) {
                log.info("auto change of {} not applied: {} ({})", ref, r.outcome(), r.detail());
            }
        }
    }

    /** Recomputes the change on the upstream as stored now (called by the writer on every attempt). */
    private Optional<PlannedChange> replan(
            ClusterSnapshot snapshot,
            UpstreamConfig fresh,
            HealthMerger.Merged health,
            Policy policy,
            List<Decision> history,
            UpstreamState engineState,
            String actor) {
        Recommendation r = engine.evaluate(input(snapshot, fresh, health, policy, history), engineState)
                .recommendation();
        if (!r.hasChange()) {
            return Optional.empty();
        }
        return Optional.of(new PlannedChange(r.timeout(), r.weights(), r.reasons(), r.inputs(), "apply", actor, null));
    }

    /**
     * Rolls back the last change if, within its guard window, the upstream's error rate rose by more than the
     * policy allows; then holds the upstream (paused) until an operator resumes it. Returns true if it acted.
     */
    private boolean guard(UpstreamRef ref, Policy policy, Recommendation rec, List<Decision> history) {
        Optional<Decision> last = lastActive(history);
        if (last.isEmpty() || rec.inputs().requests() < policy.minSamples()) {
            return false;
        }
        Decision d = last.get();
        if (d.inputs() == null || d.inputs().requests() < policy.minSamples()) {
            // The decision's error rate was not measured on enough requests (an older optimizer could decide on an
            // empty report and record "0.0 %"): there is nothing to compare with, so the guard cannot judge it.
            return false;
        }
        Duration since = Duration.between(Instant.ofEpochMilli(d.atMs()), clock.instant());
        if (since.compareTo(policy.guardWindow()) > 0 || since.isNegative()) {
            return false;
        }
        double before = d.inputs().errorRate();
        double now = rec.inputs().errorRate();
        if (now - before <= policy.rollbackErrorRateIncrease()) {
            return false;
        }
        String reason = String.format(
                java.util.Locale.ROOT,
                "error rate %.1f%% -> %.1f%% within %d s of decision %s (rollbackErrorRateIncrease %.1f%%)",
                before * 100,
                now * 100,
                since.toSeconds(),
                d.id(),
                policy.rollbackErrorRateIncrease() * 100);
        WriteResult r =
                writer.apply(ref, fresh -> Optional.of(rollbackOf(d, rec, "guard", reason)), leadership.fence());
        if (r.outcome() == WriteResult.Outcome.APPLIED || r.outcome() == WriteResult.Outcome.NO_CHANGE) {
            state.pause(ref, "held after automatic rollback: " + reason, clock.millis());
            log.warn("rolled back {} on {} and holding it: {}", d.id(), ref, reason);
        }
        return true;
    }

    /** The newest apply that has not been rolled back, if any. */
    static Optional<Decision> lastActive(List<Decision> newestFirst) {
        for (Decision d : newestFirst) {
            if (d.kind().equals("rollback")) {
                return Optional.empty();
            }
            return Optional.of(d);
        }
        return Optional.empty();
    }

    private static PlannedChange rollbackOf(Decision d, Recommendation rec, String actor, String reason) {
        Timeouts before = d.before().timeout() == null
                ? Timeouts.NGINX_DEFAULTS
                : d.before().timeout();
        return new PlannedChange(
                d.timeoutChanged() ? Optional.of(before) : Optional.empty(),
                d.before().weights(),
                List.of("rollback of " + d.id() + ": " + reason),
                rec == null ? Recommendation.Inputs.NONE : rec.inputs(),
                "rollback",
                actor,
                d.id());
    }

    private EvaluationInput input(
            ClusterSnapshot snapshot,
            UpstreamConfig config,
            HealthMerger.Merged health,
            Policy policy,
            List<Decision> history) {
        Optional<Instant> lastTimeout =
                history.stream().filter(Decision::timeoutChanged).findFirst().map(d -> Instant.ofEpochMilli(d.atMs()));
        Optional<Instant> lastWeights =
                history.stream().filter(Decision::weightsChanged).findFirst().map(d -> Instant.ofEpochMilli(d.atMs()));
        return new EvaluationInput(
                config,
                health,
                policy,
                lastTimeout,
                lastWeights,
                Baselines.effective(state.baseline(config.ref()), config.weights()),
                snapshot.routesOverridingTimeout(config.ref()));
    }

    private void record(UpstreamRef ref, UpstreamConfig config, HealthMerger.Merged health, Recommendation rec) {
        double p50 = 0, p99 = 0, w50 = 0, w99 = 0;
        for (NodeHealth h : health.nodes().values()) {
            double weight = Math.max(1, h.requests());
            var a = h.latency().get("p50");
            if (a.isPresent()) {
                p50 += a.getAsDouble() * weight;
                w50 += weight;
            }
            var b = h.latency().get("p99");
            if (b.isPresent()) {
                p99 += b.getAsDouble() * weight;
                w99 += weight;
            }
        }
        SeriesPoint point = new SeriesPoint(
                clock.millis(),
                rec.inputs().requests(),
                rec.inputs().requests() == 0 ? null : rec.inputs().errorRate(),
                w50 == 0 ? null : p50 / w50,
                w99 == 0 ? null : p99 / w99,
                config.timeout().orElse(Timeouts.NGINX_DEFAULTS),
                config.weights(),
                rec.inputs().nodes());
        Deque<SeriesPoint> points = series.computeIfAbsent(ref, k -> new ArrayDeque<>());
        synchronized (points) {
            points.addLast(point);
            while (points.size() > seriesLimit) {
                points.removeFirst();
            }
        }
    }

    // ---- reads for the API ----

    public Map<UpstreamRef, UpstreamConfig> upstreams() {
        return mirror.snapshot().upstreams();
    }

    public Optional<Recommendation> recommendation(UpstreamRef ref) {
        return Optional.ofNullable(latest.get(ref));
    }

    public Map<String, NodeHealth> health(UpstreamRef ref) {
        return merger.merge(ref, mirror.snapshot().health().values()).nodes();
    }

    public List<SeriesPoint> series(UpstreamRef ref) {
        Deque<SeriesPoint> points = series.get(ref);
        if (points == null) {
            return List.of();
        }
        synchronized (points) {
            return List.copyOf(points);
        }
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
        ClusterSnapshot snapshot = mirror.snapshot();
        UpstreamConfig config = snapshot.upstream(ref).orElseThrow(() -> new UnknownUpstreamException(ref));
        Policy policy = PolicyCodec.merge(state.policy(ref), overrides, "");
        if (policy.mode() == Mode.OFF) {
            // a dry run shows what the policy would do, whatever its mode says
            policy = PolicyCodec.merge(policy, PolicyCodec.toJson(policy).put("mode", "recommend"), "");
        }
        HealthMerger.Merged health = merger.merge(ref, snapshot.health().values());
        // Evaluate on a copy of the engine's memory: the dry run must not advance it.
        return engine.evaluate(
                        input(snapshot, config, health, policy, state.history(ref)),
                        engineStates.getOrDefault(ref, UpstreamState.INITIAL))
                .recommendation();
    }

    /** Applies the current recommendation (recommend or auto mode); leader only. */
    public WriteResult apply(UpstreamRef ref) {
        requireLeader();
        ClusterSnapshot snapshot = mirror.snapshot();
        requireKnown(snapshot, ref);
        Policy policy = state.policy(ref);
        if (policy.mode() == Mode.OFF) {
            throw new ModeOffException(ref);
        }
        HealthMerger.Merged health = merger.merge(ref, snapshot.health().values());
        List<Decision> history = state.history(ref);
        UpstreamState engineState = engineStates.getOrDefault(ref, UpstreamState.INITIAL);
        return writer.apply(
                ref, fresh -> replan(snapshot, fresh, health, policy, history, engineState, "api"), leadership.fence());
    }

    private static void requireKnown(ClusterSnapshot snapshot, UpstreamRef ref) {
        if (snapshot.upstream(ref).isEmpty()) {
            throw new UnknownUpstreamException(ref);
        }
    }

    /** Rolls back the newest applied change (or the one given); leader only. */
    public WriteResult rollback(UpstreamRef ref, Optional<String> decisionId) {
        requireLeader();
        requireKnown(mirror.snapshot(), ref);
        List<Decision> history = state.history(ref);
        Decision target = decisionId
                .map(id -> history.stream()
                        .filter(d -> d.id().equals(id))
                        .findFirst()
                        .orElseThrow(() -> new UnknownDecisionException(id)))
                .orElseGet(() -> lastActive(history).orElseThrow(() -> new UnknownDecisionException("latest")));
        return writer.apply(
                ref,
                fresh -> Optional.of(rollbackOf(target, latest.get(ref), "api", "requested by an operator")),
                leadership.fence());
    }

    private void requireLeader() {
        if (!leadership.isLeader()) {
            throw new NotLeaderException(leadership.currentLeader().orElse("unknown"));
        }
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
