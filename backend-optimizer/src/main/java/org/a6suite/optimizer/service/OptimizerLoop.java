package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.leader.Leadership;
import org.a6suite.optimizer.model.ClusterSnapshot;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Mode;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.a6suite.optimizer.writer.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass of the optimizer loop: every replica evaluates every upstream; the leader also applies the recommendation
 * of upstreams in {@code auto} mode that are not paused, unless the guard acted on them first.
 */
final class OptimizerLoop {

    private static final Logger log = LoggerFactory.getLogger(OptimizerLoop.class);

    private final EtcdMirror mirror;
    private final OptimizerState state;
    private final UpstreamWriter writer;
    private final Leadership leadership;
    private final UpstreamEvaluator evaluator;
    private final ChangeGuard guard;
    private final SeriesRecorder series;
    private final Counter evaluations;
    private final OptimizerMeters nodeMeters;
    private final Object tickLock = new Object();

    OptimizerLoop(
            EtcdMirror mirror,
            OptimizerState state,
            UpstreamWriter writer,
            Leadership leadership,
            UpstreamEvaluator evaluator,
            ChangeGuard guard,
            SeriesRecorder series,
            MeterRegistry meters) {
        this.mirror = requireNonNull(mirror, "mirror");
        this.state = requireNonNull(state, "state");
        this.writer = requireNonNull(writer, "writer");
        this.leadership = requireNonNull(leadership, "leadership");
        this.evaluator = requireNonNull(evaluator, "evaluator");
        this.guard = requireNonNull(guard, "guard");
        this.series = requireNonNull(series, "series");
        this.nodeMeters = new OptimizerMeters(meters);
        this.evaluations = Counter.builder("a6.optimizer.evaluations")
                .description("Upstream evaluations")
                .register(meters);
    }

    /** One pass over every upstream. Safe to call from a scheduler; passes never overlap. */
    void tick() {
        if (!mirror.synced()) {
            return;
        }
        synchronized (tickLock) {
            ClusterSnapshot snapshot = mirror.snapshot();
            evaluator.retain(snapshot);
            series.retain(snapshot);
            for (UpstreamConfig config : snapshot.upstreams().values()) {
                try {
                    evaluateAndAct(snapshot, config);
                } catch (RuntimeException e) {
                    log.warn("evaluating {} failed: {}", config.ref(), e.toString());
                }
            }
            nodeMeters.update(evaluator.recommendations());
        }
    }

    private void evaluateAndAct(ClusterSnapshot snapshot, UpstreamConfig config) {
        UpstreamRef ref = config.ref();
        UpstreamEvaluator.Evaluated ev = evaluator.evaluate(snapshot, config);
        UpstreamEvaluator.Basis basis = ev.basis();
        Recommendation rec = ev.recommendation();
        evaluations.increment();
        series.record(config, basis.health(), rec);

        if (basis.policy().mode() != Mode.AUTO
                || !leadership.isLeader()
                || state.pause(ref).isPresent()) {
            return;
        }
        if (guard.guard(ref, basis.policy(), rec, basis.history())) {
            return;
        }
        if (rec.hasChange()) {
            WriteResult r = writer.apply(ref, fresh -> evaluator.replan(basis, fresh, "auto"), leadership.fence());
            if (r.outcome() != WriteResult.Outcome.APPLIED && r.outcome() != WriteResult.Outcome.NO_CHANGE) {
                log.info("auto change of {} not applied: {} ({})", ref, r.outcome(), r.detail());
            }
        }
    }
}
