package org.a6suite.optimizer.policy;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamNode;

/**
 * The pure, deterministic policy engine: from an upstream's configuration, the merged health of its nodes and the
 * engine's memory of earlier intervals, it recommends timeouts and node weights. No I/O; time comes from the injected
 * {@link Clock}.
 *
 * <h2>Scores and weights</h2>
 * A node with at least {@code minNodeSamples} requests in an interval (or {@code lowWeightMinNodeSamples} once it is
 * below its base weight) gets a raw score {@code successRate x latencyFactor}, where {@code latencyFactor = min(1,
 * max(median x latencyTolerance, median + latencyToleranceMs) / node p90)} over the median p90 of the nodes; the score
 * is smoothed ({@code s = smoothing x raw + (1 - smoothing) x s}). Its target weight is {@code base x s}, never below
 * {@code base x weightFloor} (at least 1); each step moves a weight at most {@code base x maxWeightStep} (at least 1).
 * A node failing ({@code errorRate >= ejectErrorRate}, or reported unhealthy) for {@code ejectAfterIntervals}
 * consecutive intervals, or a latency outlier (p90 at least {@code outlierLatencyFactor} x its peers' median and at
 * least {@code outlierLatencyMinMs} above it) for {@code outlierConsecutiveReports} consecutive reports, is ejected
 * (weight 0 at once, not a bounded step) for {@code ejectBaseSeconds x times ejected} (capped), unless that would eject
 * more than {@code maxEjectFraction} of the nodes or leave no healthy node. It then returns at the floor weight and
 * climbs back step by step, unless the newest report calls it {@code unhealthy} (it then stays out until one does
 * not). Streaks count reports with data for the node: a report without enough requests for it
 * neither extends nor restarts them.
 *
 * <h2>No data</h2>
 * An upstream whose newest health counts no requests is unknown (status {@code idle}, or {@code no_data} when no fresh
 * report covers it): nothing changes, whatever the remembered scores say. Weights that would only be scaled together
 * (the same traffic split, {@code sameSplit}) are not a change either.
 *
 * <h2>Timeouts</h2>
 * With at least {@code minSamples} requests: connect = max connect-time percentile x connectFactor, read (and send) =
 * max response-time percentile x readFactor, over nodes that are not ejected and score at least 0.5, clamped to the
 * policy's bounds. A timeout changes only if it moves by more than {@code timeoutHysteresis} and the last change is
 * older than {@code timeoutMinIntervalSeconds}. Weights and timeouts move at most one step per health report: after a
 * change, the next waits for a report generated after it. Route-level timeouts are reported; for an inline route upstream whose
 * route sets its own timeout the upstream timeout is left alone.
 */
public final class PolicyEngine {

    private final Clock clock;
    private final EjectionPolicy ejection = new EjectionPolicy();
    private final WeightPolicy weights = new WeightPolicy();
    private final TimeoutPolicy timeouts = new TimeoutPolicy();

    public PolicyEngine(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** The recommendation and the engine state to keep for the next interval. */
    public record Evaluation(Recommendation recommendation, UpstreamState state) {}

    /**
     * Evaluates one upstream. When {@code input.health().stamp()} equals {@code previous.healthStamp()} the state is
     * not advanced (no new data), so repeated evaluations of the same data give the same answer.
     */
    public Evaluation evaluate(EvaluationInput input, UpstreamState previous) {
        requireNonNull(input, "input");
        requireNonNull(previous, "previous");
        UpstreamConfig config = input.config();
        Policy policy = input.policy();
        Instant now = clock.instant();
        Timeouts currentTimeout = config.timeout().orElse(Timeouts.NGINX_DEFAULTS);
        Map<String, Integer> currentWeights = config.weights();

        if (policy.mode() == Mode.OFF) {
            return new Evaluation(
                    new Recommendation(
                            config.ref(),
                            Recommendation.Status.OFF,
                            currentTimeout,
                            Optional.empty(),
                            currentWeights,
                            currentWeights,
                            List.of("mode is off"),
                            List.of(),
                            Recommendation.Inputs.NONE),
                    previous);
        }

        List<String> reasons = new ArrayList<>();
        UpstreamState state = input.health().stamp() == previous.healthStamp()
                ? previous
                : ejection.advance(input, previous, now, reasons);
        Recommendation.Inputs inputs = inputs(input, state);

        // No requests in the newest health is no data: unknown, never "0 % errors" or "healthy". Nothing is decided
        // on it (an idle upstream gets no writes); streaks and scores wait for the next report with requests.
        boolean noData = inputs.requests() == 0;
        Map<String, Integer> weights = noData ? currentWeights : this.weights.recommend(input, state, now, reasons);
        Optional<Timeouts> timeout =
                noData ? Optional.empty() : timeouts.recommend(input, state, inputs, currentTimeout, now, reasons);

        List<String> routeOverrides = input.routeOverrides().stream()
                .map(r -> r.ref().key() + " sets its own timeout "
                        + Reasons.fmt(r.timeout().orElseThrow()) + ", which overrides this upstream's for that route")
                .toList();

        Recommendation.Status status;
        if (noData && input.health().reporters() == 0) {
            status = Recommendation.Status.NO_DATA;
        } else if (noData) {
            status = Recommendation.Status.IDLE;
        } else if (timeout.isPresent() || !weights.equals(currentWeights)) {
            status = Recommendation.Status.CHANGE;
        } else if (inputs.requests() < policy.minSamples()) {
            status = Recommendation.Status.INSUFFICIENT_DATA;
        } else {
            status = Recommendation.Status.NO_CHANGE;
        }
        if (status == Recommendation.Status.NO_DATA) {
            reasons.add("no data: no fresh health report covers this upstream; nothing changes until one does");
        } else if (status == Recommendation.Status.IDLE) {
            reasons.add("idle: the newest health reports count no requests for this upstream; nothing changes");
        }
        return new Evaluation(
                new Recommendation(
                        config.ref(),
                        status,
                        currentTimeout,
                        timeout,
                        currentWeights,
                        weights,
                        reasons,
                        routeOverrides,
                        inputs),
                state);
    }

    private Recommendation.Inputs inputs(EvaluationInput input, UpstreamState state) {
        long requests = 0, failures = 0;
        Map<String, Recommendation.NodeInput> nodes = new LinkedHashMap<>();
        for (UpstreamNode node : input.config().nodes()) {
            String addr = node.address();
            NodeHealth h = input.health().nodes().get(addr);
            NodeState s = state.node(addr);
            if (h != null) {
                requests += h.requests();
                failures += h.failures();
            }
            nodes.put(
                    addr,
                    new Recommendation.NodeInput(
                            h == null ? 0 : h.requests(),
                            h == null ? 0 : h.errorRate(),
                            h == null ? null : nan(h.latency().p50()),
                            h == null ? null : nan(h.latency().p99()),
                            h == null
                                    ? null
                                    : h.readMs(input.policy().readPercentile()).orElse(null),
                            h == null
                                    ? null
                                    : nan(h.connectMs()
                                            .get(input.policy().connectPercentile())
                                            .orElse(Double.NaN)),
                            h == null ? null : h.health().orElse(null),
                            s.score(),
                            s.ejected()));
        }
        return new Recommendation.Inputs(
                requests, requests == 0 ? 0 : Math.min(1.0, (double) failures / requests), nodes);
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
