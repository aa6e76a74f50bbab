package org.a6suite.optimizer.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamNode;

/**
 * Upstream timeouts from node latencies: with at least {@code minSamples} requests, connect = max connect-time
 * percentile x {@code connectFactor} and read = send = max response-time percentile x {@code readFactor}, over the
 * healthy pool (not ejected, score at least 0.5), clamped to the policy's bounds. A timeout moves only past
 * {@code timeoutHysteresis}, once per health report, and not within {@code timeoutMinIntervalSeconds} of the last
 * change; a route that sets its own timeout keeps its inline upstream's. No I/O.
 */
final class TimeoutPolicy {

    private static final double HEALTHY_SCORE = 0.5;

    /** The timeouts to write, or empty when they should stay (the reasons say why when it matters). */
    Optional<Timeouts> recommend(
            EvaluationInput input,
            UpstreamState state,
            Recommendation.Inputs inputs,
            Timeouts current,
            Instant now,
            List<String> reasons) {
        Policy policy = input.policy();
        UpstreamConfig config = input.config();
        if (inputs.requests() == 0) {
            return Optional.empty();
        }
        if (inputs.requests() < policy.minSamples()) {
            reasons.add("timeouts unchanged: " + inputs.requests() + " requests < minSamples " + policy.minSamples());
            return Optional.empty();
        }
        if (config.ref().kind().equals("routes")
                && input.routeOverrides().stream().anyMatch(r -> r.ref().equals(config.ref()))) {
            reasons.add("timeouts unchanged: the route sets its own timeout, which wins over its inline upstream's");
            return Optional.empty();
        }
        List<String> pool = healthyPool(input, state);
        Optional<Double> readMs = pool.stream()
                .map(a -> input.health().nodes().get(a).readMs(policy.readPercentile()))
                .flatMap(Optional::stream)
                .max(Double::compare);
        Optional<Double> connectMs = pool.stream()
                .map(a -> input.health().nodes().get(a).connectMs().get(policy.connectPercentile()))
                .filter(o -> o.isPresent())
                .map(o -> o.getAsDouble())
                .max(Double::compare);
        if (readMs.isEmpty() && connectMs.isEmpty()) {
            reasons.add("timeouts unchanged: no latency percentiles reported");
            return Optional.empty();
        }
        double read = readMs.map(ms -> round3(
                        clamp(ms * policy.readFactor() / 1000, policy.minReadTimeout(), policy.maxReadTimeout())))
                .orElse(current.read());
        double connect = connectMs
                .map(ms -> round3(clamp(
                        ms * policy.connectFactor() / 1000, policy.minConnectTimeout(), policy.maxConnectTimeout())))
                .orElse(current.connect());
        double send = readMs.isPresent() ? read : current.send();
        Timeouts proposed = new Timeouts(connect, send, read);
        boolean past = relChange(current.read(), read) > policy.timeoutHysteresis()
                || relChange(current.connect(), connect) > policy.timeoutHysteresis()
                || relChange(current.send(), send) > policy.timeoutHysteresis();
        if (!past) {
            return Optional.empty();
        }
        Optional<Instant> last = input.lastTimeoutChange();
        if (input.actedOnLatestData(last)) {
            reasons.add("timeout would change but no new health report since the last timeout change");
            return Optional.empty();
        }
        if (last.isPresent() && Duration.between(last.get(), now).compareTo(policy.timeoutMinInterval()) < 0) {
            reasons.add("timeout would change to " + Reasons.fmt(proposed) + " but last changed "
                    + Duration.between(last.get(), now).toSeconds() + " s ago (timeoutMinIntervalSeconds "
                    + Reasons.fmtNum(policy.timeoutMinIntervalSeconds()) + ")");
            return Optional.empty();
        }
        reasons.add("timeout " + Reasons.fmt(current) + " -> " + Reasons.fmt(proposed) + " from "
                + policy.readPercentile() + " "
                + readMs.map(Reasons::fmtNum).orElse("n/a") + " ms x " + Reasons.fmtNum(policy.readFactor())
                + ", connect " + policy.connectPercentile() + " "
                + connectMs.map(Reasons::fmtNum).orElse("n/a")
                + " ms x " + Reasons.fmtNum(policy.connectFactor()));
        return Optional.of(proposed);
    }

    /** Nodes whose latency should bound the timeouts: not ejected, scoring as healthy, with enough samples. */
    private List<String> healthyPool(EvaluationInput input, UpstreamState state) {
        Map<String, NodeHealth> health = input.health().nodes();
        List<String> withData = input.config().nodes().stream()
                .map(UpstreamNode::address)
                .filter(a -> health.containsKey(a)
                        && health.get(a).requests() >= input.policy().minNodeSamples())
                .toList();
        List<String> healthy = withData.stream()
                .filter(a -> !state.node(a).ejected() && state.node(a).score() >= HEALTHY_SCORE)
                .toList();
        if (!healthy.isEmpty()) {
            return healthy;
        }
        // Every node is slow or failing: the timeouts must still fit what the nodes actually do.
        return withData.isEmpty()
                ? input.config().nodes().stream()
                        .map(UpstreamNode::address)
                        .filter(health::containsKey)
                        .toList()
                : withData;
    }

    private static double relChange(double from, double to) {
        return Math.abs(to - from) / from;
    }

    private static double clamp(double v, double min, double max) {
        return Math.max(min, Math.min(max, v));
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
