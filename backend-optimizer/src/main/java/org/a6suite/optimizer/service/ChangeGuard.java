package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.a6suite.optimizer.leader.Leadership;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.writer.Decision;
import org.a6suite.optimizer.writer.PlannedChange;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.a6suite.optimizer.writer.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the last applied change of an upstream for its guard window and rolls it back, then holds the upstream, if
 * the error rate got worse by more than the policy allows; also builds the rollback of a decision for operators.
 */
final class ChangeGuard {

    private static final Logger log = LoggerFactory.getLogger(ChangeGuard.class);

    private final OptimizerState state;
    private final UpstreamWriter writer;
    private final Leadership leadership;
    private final Clock clock;

    ChangeGuard(OptimizerState state, UpstreamWriter writer, Leadership leadership, Clock clock) {
        this.state = requireNonNull(state, "state");
        this.writer = requireNonNull(writer, "writer");
        this.leadership = requireNonNull(leadership, "leadership");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Rolls back the last change if, within its guard window, the upstream's error rate rose by more than the
     * policy allows; then holds the upstream (paused) until an operator resumes it. Returns true if it acted.
     */
    boolean guard(UpstreamRef ref, Policy policy, Recommendation rec, List<Decision> history) {
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
                Locale.ROOT,
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

    /** The change that restores what {@code d} replaced; {@code rec} (may be null) gives the inputs to record. */
    static PlannedChange rollbackOf(Decision d, Recommendation rec, String actor, String reason) {
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
}
