package org.a6suite.optimizer.policy;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.RouteInfo;
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

    private static final double HEALTHY_SCORE = 0.5;

    private final Clock clock;

    public PolicyEngine(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** The recommendation and the engine state to keep for the next interval. */
    public record Evaluation(Recommendation recommendation, UpstreamState state) {
    }

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
            return new Evaluation(new Recommendation(config.ref(), Recommendation.Status.OFF, currentTimeout,
                    Optional.empty(), currentWeights, currentWeights, List.of("mode is off"), List.of(),
                    Recommendation.Inputs.NONE), previous);
        }

        List<String> reasons = new ArrayList<>();
        UpstreamState state = input.health().stamp() == previous.healthStamp()
                ? previous
                : advance(input, previous, now, reasons);
        Recommendation.Inputs inputs = inputs(input, state);

        // No requests in the newest health is no data: unknown, never "0 % errors" or "healthy". Nothing is decided
        // on it (an idle upstream gets no writes); streaks and scores wait for the next report with requests.
        boolean noData = inputs.requests() == 0;
        Map<String, Integer> weights = noData ? currentWeights : recommendWeights(input, state, now, reasons);
        Optional<Timeouts> timeout = noData ? Optional.empty()
                : recommendTimeout(input, state, inputs, currentTimeout, now, reasons);

        List<String> routeOverrides = input.routeOverrides().stream()
                .map(r -> r.ref().key() + " sets its own timeout " + fmt(r.timeout().orElseThrow())
                        + ", which overrides this upstream's for that route")
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
        return new Evaluation(new Recommendation(config.ref(), status, currentTimeout, timeout, currentWeights,
                weights, reasons, routeOverrides, inputs), state);
    }

    private UpstreamState advance(EvaluationInput input, UpstreamState previous, Instant now, List<String> reasons) {
        Policy policy = input.policy();
        Map<String, NodeHealth> health = input.health().nodes();
        Map<String, Integer> baseline = baseline(input.config(), input.baselineWeights());
        double medianLatency = medianP90(input);
        Map<String, NodeState> next = new LinkedHashMap<>();
        Map<String, String> outliers = new LinkedHashMap<>();
        for (UpstreamNode node : input.config().nodes()) {
            String addr = node.address();
            NodeState prev = previous.node(addr);
            NodeHealth h = health.get(addr);
            double score = prev.score();
            boolean failing = false;
            boolean outlier = false;
            // Whether this report says anything about the node. A report without (enough) requests for it is no
            // evidence either way: its streaks are kept, not restarted, or an exporter that refreshes every 15 s
            // behind 5 s reports would never let a node be an outlier in two consecutive reports.
            boolean judgedFailing = false;
            boolean judgedOutlier = false;
            if (h != null) {
                boolean enough = h.requests() >= minSamplesFor(node, baseline, policy);
                boolean unhealthy = h.health().filter("unhealthy"::equals).isPresent();
                failing = unhealthy || (enough && h.errorRate() >= policy.ejectErrorRate());
                judgedFailing = enough || unhealthy;
                if (enough || unhealthy) {
                    double raw = unhealthy ? 0 : (1 - h.errorRate()) * latencyFactor(h, medianLatency, policy);
                    score = policy.smoothing() * raw + (1 - policy.smoothing()) * prev.score();
                }
                if (enough && policy.outlierConsecutiveReports() > 0) {
                    Optional<String> why = latencyOutlier(addr, h, input, previous);
                    outlier = why.isPresent();
                    judgedOutlier = outlier || (p90(h).isPresent() && hasPeers(addr, input, previous));
                    why.ifPresent(w -> outliers.put(addr, w));
                }
            }
            Optional<Instant> ejectedUntil = prev.ejectedUntil();
            int times = prev.timesEjected();
            boolean reportedUnhealthy = h != null && h.health().filter("unhealthy"::equals).isPresent();
            if (ejectedUntil.isPresent() && !now.isBefore(ejectedUntil.get()) && reportedUnhealthy) {
                // Its time is up, but APISIX's health checker says it is down right now: giving it weight would be a
                // decision against the data. It returns with the first report that does not call it unhealthy.
                reasons.add(addr + " stays ejected past its ejection time: reported unhealthy");
            }
            boolean returns = ejectedUntil.isPresent() && !now.isBefore(ejectedUntil.get()) && !reportedUnhealthy;
            if (returns) {
                // Probation: back at the floor, climbing by bounded steps as its score recovers.
                ejectedUntil = Optional.empty();
                score = Math.min(score, policy.weightFloor());
                reasons.add(addr + " returns from ejection at the floor weight");
            }
            // A returning node starts its streaks afresh: what it did while ejected must not eject it again at once.
            int outlierStreak = outlier ? (returns ? 0 : prev.outlierStreak()) + 1
                    : judgedOutlier || returns ? 0 : prev.outlierStreak();
            int failingStreak = failing ? (returns ? 0 : prev.failingStreak()) + 1
                    : judgedFailing || returns ? 0 : prev.failingStreak();
            if (outlier && ejectedUntil.isEmpty()) {
                reasons.add(addr + " is a latency outlier (" + outliers.get(addr) + "), report " + outlierStreak
                        + " of " + policy.outlierConsecutiveReports());
            }
            next.put(addr, new NodeState(clamp01(score), failingStreak, outlierStreak, ejectedUntil, times));
        }
        eject(next, input, now, outliers, reasons);
        return new UpstreamState(input.health().stamp(), next);
    }

    /**
     * Requests a node needs in one report before its score moves. A node already below its base weight gets less
     * traffic because of us; requiring the full {@code minNodeSamples} would freeze its score exactly there (a slow node
     * would stop going down, a recovered one would climb back only as fast as it collects a full sample), so it needs
     * only {@code lowWeightMinNodeSamples}.
     */
    private static long minSamplesFor(UpstreamNode node, Map<String, Integer> baseline, Policy policy) {
        int base = baseline.getOrDefault(node.address(), node.weight());
        return node.weight() < base ? Math.min(policy.minNodeSamples(), policy.lowWeightMinNodeSamples())
                : policy.minNodeSamples();
    }

    /**
     * Whether a node's p90 is at least {@code outlierLatencyFactor} x the median p90 of its peers and at least
     * {@code outlierLatencyMinMs} above it. Peers are the other nodes with a full sample that are not ejected; the
     * comparison is relative to them, so when every node is slow no node is an outlier.
     */
    private static Optional<String> latencyOutlier(String addr, NodeHealth h, EvaluationInput input,
            UpstreamState previous) {
        Policy policy = input.policy();
        Optional<Double> own = p90(h);
        if (own.isEmpty()) {
            return Optional.empty();
        }
        List<Double> peers = peerP90s(addr, input, previous);
        if (peers.isEmpty()) {
            return Optional.empty();
        }
        double median = median(peers);
        boolean outlier = own.get() >= median * policy.outlierLatencyFactor()
                && own.get() - median >= policy.outlierLatencyMinMs();
        return outlier
                ? Optional.of("p90 " + fmtNum(own.get()) + " ms vs peers' median " + fmtNum(median) + " ms")
                : Optional.empty();
    }

    /** The p90s of a node's peers: the other nodes with a full sample that are not ejected, sorted. */
    private static List<Double> peerP90s(String addr, EvaluationInput input, UpstreamState previous) {
        return input.health().nodes().entrySet().stream()
                .filter(e -> !e.getKey().equals(addr) && !previous.node(e.getKey()).ejected()
                        && e.getValue().requests() >= input.policy().minNodeSamples())
                .map(e -> p90(e.getValue())).flatMap(Optional::stream).sorted().toList();
    }

    private static boolean hasPeers(String addr, EvaluationInput input, UpstreamState previous) {
        return !peerP90s(addr, input, previous).isEmpty();
    }

    private void eject(Map<String, NodeState> nodes, EvaluationInput input, Instant now, Map<String, String> outliers,
            List<String> reasons) {
        Policy policy = input.policy();
        Map<String, Integer> baseline = baseline(input.config(), input.baselineWeights());
        // Only nodes the operator gave traffic take part: an operator's weight 0 is theirs, not ours.
        List<String> active = nodes.keySet().stream().filter(a -> baseline.getOrDefault(a, 0) > 0).toList();
        int cap = (int) Math.floor(policy.maxEjectFraction() * active.size());
        long ejected = active.stream().filter(a -> nodes.get(a).ejected()).count();
        // Failing and latency-outlier nodes share one budget (the cap) and one rule: never eject the last healthy nodes.
        List<String> candidates = active.stream()
                .filter(a -> !nodes.get(a).ejected() && (failingLongEnough(nodes.get(a), policy)
                        || outlierLongEnough(nodes.get(a), policy)))
                .sorted(Comparator.comparingDouble((String a) -> nodes.get(a).score()).thenComparing(a -> a))
                .toList();
        for (String addr : candidates) {
            long healthyLeft = active.stream()
                    .filter(a -> !a.equals(addr) && !nodes.get(a).ejected() && nodes.get(a).failingStreak() == 0
                            && nodes.get(a).outlierStreak() == 0)
                    .count();
            NodeState s = nodes.get(addr);
            boolean failing = failingLongEnough(s, policy);
            String what = failing ? "keeps failing" : "is a latency outlier";
            if (ejected >= cap || healthyLeft == 0) {
                reasons.add(addr + " " + what + " but is not ejected: " + (healthyLeft == 0
                        ? "it would leave no healthy node"
                        : "already " + ejected + " of " + active.size() + " nodes ejected (maxEjectFraction "
                                + policy.maxEjectFraction() + ")"));
                continue;
            }
            double seconds = Math.min(policy.ejectMaxSeconds(), policy.ejectBaseSeconds() * (s.timesEjected() + 1));
            Instant until = now.plus(Policy.seconds(seconds));
            // The streaks restart: after its ejection the node must misbehave again, on fresh data, to be re-ejected.
            // (An ejected node has no requests, and reports without requests no longer restart a streak.)
            nodes.put(addr, new NodeState(0, 0, 0, Optional.of(until), s.timesEjected() + 1));
            ejected++;
            reasons.add(failing
                    ? addr + " ejected for " + fmtNum(seconds) + " s after " + s.failingStreak() + " failing intervals"
                    : addr + " ejected for " + fmtNum(seconds) + " s as a latency outlier for " + s.outlierStreak()
                            + " reports (" + outliers.getOrDefault(addr, "slow") + ")");
        }
    }

    private static boolean failingLongEnough(NodeState s, Policy policy) {
        return s.failingStreak() >= policy.ejectAfterIntervals();
    }

    private static boolean outlierLongEnough(NodeState s, Policy policy) {
        return policy.outlierConsecutiveReports() > 0 && s.outlierStreak() >= policy.outlierConsecutiveReports();
    }

    private Map<String, Integer> recommendWeights(EvaluationInput input, UpstreamState state, Instant now,
            List<String> reasons) {
        Policy policy = input.policy();
        UpstreamConfig config = input.config();
        Map<String, Integer> baseline = baseline(config, input.baselineWeights());
        Map<String, Integer> result = new LinkedHashMap<>();
        boolean changed = false;
        boolean ejectionChange = false;
        for (UpstreamNode node : config.nodes()) {
            String addr = node.address();
            int current = node.weight();
            int base = baseline.getOrDefault(addr, current);
            NodeState s = state.node(addr);
            int next;
            if (base == 0) {
                next = current; // the operator's own choice
            } else if (s.ejected()) {
                next = 0;
                ejectionChange |= current != 0;
            } else {
                int floor = Math.max(1, (int) Math.ceil(base * policy.weightFloor()));
                int step = Math.max(1, (int) Math.ceil(base * policy.maxWeightStep()));
                int target = Math.max(floor, Math.min(base, (int) Math.round(base * s.score())));
                next = current < target ? Math.min(target, current + step) : Math.max(target, current - step);
                next = Math.max(next, Math.min(floor, target));
            }
            changed |= next != current;
            result.put(addr, next);
        }
        if (!changed) {
            return config.weights();
        }
        if (sameSplit(config.weights(), result)) {
            // roundrobin sends node i weight_i / sum(weights) of the requests: scaling every weight by one factor
            // (every node scored down alike, e.g. all failing) changes no request's destination, only etcd, APISIX's
            // watchers and the history.
            reasons.add("weights would scale together " + config.weights().values() + " -> " + result.values()
                    + ": the same traffic split, so nothing is written");
            return config.weights();
        }
        Optional<Instant> last = input.lastWeightChange();
        if (actedOnLatestData(last, input)) {
            // One bounded step per health report: without new data since the last change, the next step waits.
            reasons.add("weights would change but no new health report since the last weight change");
            return config.weights();
        }
        if (!ejectionChange && last.isPresent()
                && Duration.between(last.get(), now).compareTo(policy.weightMinInterval()) < 0) {
            reasons.add("weights would change but last changed " + Duration.between(last.get(), now).toSeconds()
                    + " s ago (weightMinIntervalSeconds " + fmtNum(policy.weightMinIntervalSeconds()) + ")");
            return config.weights();
        }
        result.forEach((addr, w) -> {
            int cur = config.weights().get(addr);
            if (w != cur) {
                reasons.add(String.format(Locale.ROOT, "%s weight %d -> %d (score %.2f, base %d)", addr, cur, w,
                        state.node(addr).score(), baseline.getOrDefault(addr, cur)));
            }
        });
        return result;
    }

    /**
     * Whether two weight maps over the same nodes send the same share of requests to every node: {@code a_i / sum(a)
     * == b_i / sum(b)} for all i, compared exactly as {@code a_i x sum(b) == b_i x sum(a)}.
     */
    static boolean sameSplit(Map<String, Integer> a, Map<String, Integer> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        long sumA = a.values().stream().mapToLong(Integer::longValue).sum();
        long sumB = b.values().stream().mapToLong(Integer::longValue).sum();
        if (sumA == 0 || sumB == 0) {
            return sumA == sumB;
        }
        for (Map.Entry<String, Integer> e : a.entrySet()) {
            if ((long) e.getValue() * sumB != (long) b.get(e.getKey()) * sumA) {
                return false;
            }
        }
        return true;
    }

    private Optional<Timeouts> recommendTimeout(EvaluationInput input, UpstreamState state,
            Recommendation.Inputs inputs, Timeouts current, Instant now, List<String> reasons) {
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
                .flatMap(Optional::stream).max(Double::compare);
        Optional<Double> connectMs = pool.stream()
                .map(a -> input.health().nodes().get(a).connectMs().get(policy.connectPercentile()))
                .filter(o -> o.isPresent()).map(o -> o.getAsDouble()).max(Double::compare);
        if (readMs.isEmpty() && connectMs.isEmpty()) {
            reasons.add("timeouts unchanged: no latency percentiles reported");
            return Optional.empty();
        }
        double read = readMs.map(ms -> round3(clamp(ms * policy.readFactor() / 1000, policy.minReadTimeout(),
                policy.maxReadTimeout()))).orElse(current.read());
        double connect = connectMs.map(ms -> round3(clamp(ms * policy.connectFactor() / 1000,
                policy.minConnectTimeout(), policy.maxConnectTimeout()))).orElse(current.connect());
        double send = readMs.isPresent() ? read : current.send();
        Timeouts proposed = new Timeouts(connect, send, read);
        boolean past = relChange(current.read(), read) > policy.timeoutHysteresis()
                || relChange(current.connect(), connect) > policy.timeoutHysteresis()
                || relChange(current.send(), send) > policy.timeoutHysteresis();
        if (!past) {
            return Optional.empty();
        }
        Optional<Instant> last = input.lastTimeoutChange();
        if (actedOnLatestData(last, input)) {
            reasons.add("timeout would change but no new health report since the last timeout change");
            return Optional.empty();
        }
        if (last.isPresent() && Duration.between(last.get(), now).compareTo(policy.timeoutMinInterval()) < 0) {
            reasons.add("timeout would change to " + fmt(proposed) + " but last changed "
                    + Duration.between(last.get(), now).toSeconds() + " s ago (timeoutMinIntervalSeconds "
                    + fmtNum(policy.timeoutMinIntervalSeconds()) + ")");
            return Optional.empty();
        }
        reasons.add("timeout " + fmt(current) + " -> " + fmt(proposed) + " from " + policy.readPercentile() + " "
                + readMs.map(PolicyEngine::fmtNum).orElse("n/a") + " ms x " + fmtNum(policy.readFactor())
                + ", connect " + policy.connectPercentile() + " " + connectMs.map(PolicyEngine::fmtNum).orElse("n/a")
                + " ms x " + fmtNum(policy.connectFactor()));
        return Optional.of(proposed);
    }

    private static boolean actedOnLatestData(Optional<Instant> lastChange, EvaluationInput input) {
        return lastChange.isPresent() && input.health().newestReportMs() > 0
                && !lastChange.get().isBefore(Instant.ofEpochMilli(input.health().newestReportMs()));
    }

    /** Nodes whose latency should bound the timeouts: not ejected, scoring as healthy, with enough samples. */
    private List<String> healthyPool(EvaluationInput input, UpstreamState state) {
        Map<String, NodeHealth> health = input.health().nodes();
        List<String> withData = input.config().nodes().stream().map(UpstreamNode::address)
                .filter(a -> health.containsKey(a) && health.get(a).requests() >= input.policy().minNodeSamples())
                .toList();
        List<String> healthy = withData.stream()
                .filter(a -> !state.node(a).ejected() && state.node(a).score() >= HEALTHY_SCORE).toList();
        if (!healthy.isEmpty()) {
            return healthy;
        }
        // Every node is slow or failing: the timeouts must still fit what the nodes actually do.
        return withData.isEmpty() ? input.config().nodes().stream().map(UpstreamNode::address)
                .filter(health::containsKey).toList() : withData;
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
            nodes.put(addr, new Recommendation.NodeInput(h == null ? 0 : h.requests(), h == null ? 0 : h.errorRate(),
                    h == null ? null : nan(h.latency().p50()), h == null ? null : nan(h.latency().p99()),
                    h == null ? null : h.readMs(input.policy().readPercentile()).orElse(null),
                    h == null ? null : nan(h.connectMs().get(input.policy().connectPercentile()).orElse(Double.NaN)),
                    h == null ? null : h.health().orElse(null), s.score(), s.ejected()));
        }
        return new Recommendation.Inputs(requests, requests == 0 ? 0 : Math.min(1.0, (double) failures / requests),
                nodes);
    }

    private static Map<String, Integer> baseline(UpstreamConfig config, Map<String, Integer> baselineWeights) {
        Map<String, Integer> base = new LinkedHashMap<>();
        for (UpstreamNode n : config.nodes()) {
            base.put(n.address(), baselineWeights.getOrDefault(n.address(), n.weight()));
        }
        return base;
    }

    private static double medianP90(EvaluationInput input) {
        List<Double> values = input.health().nodes().values().stream()
                .filter(h -> h.requests() >= input.policy().minNodeSamples())
                .map(PolicyEngine::p90).flatMap(Optional::stream).sorted().toList();
        return values.isEmpty() ? Double.NaN : median(values);
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static Optional<Double> p90(NodeHealth h) {
        for (String p : List.of("p90", "p50", "p99")) {
            var v = h.latency().get(p);
            if (v.isPresent()) {
                return Optional.of(v.getAsDouble());
            }
            var r = h.responseMs().get(p);
            if (r.isPresent()) {
                return Optional.of(r.getAsDouble());
            }
        }
        return Optional.empty();
    }

    private static double latencyFactor(NodeHealth h, double median, Policy policy) {
        Optional<Double> own = p90(h);
        if (own.isEmpty() || Double.isNaN(median) || own.get() <= 0) {
            return 1;
        }
        // The relative tolerance alone turns millisecond jitter between fast nodes into weight changes (5 ms vs a 3 ms
        // median is "67 % slower"), so differences below latencyToleranceMs never cost score.
        double allowed = Math.max(median * policy.latencyTolerance(), median + policy.latencyToleranceMs());
        return Math.min(1, allowed / own.get());
    }

    private static double relChange(double from, double to) {
        return Math.abs(to - from) / from;
    }

    private static double clamp(double v, double min, double max) {
        return Math.max(min, Math.min(max, v));
    }

    private static double clamp01(double v) {
        return clamp(v, 0, 1);
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }

    static String fmt(Timeouts t) {
        return "{connect " + fmtNum(t.connect()) + " s, send " + fmtNum(t.send()) + " s, read " + fmtNum(t.read())
                + " s}";
    }

    static String fmtNum(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.3f", d)
                .replaceAll("0+$", "");
    }

    static String fmtRoute(RouteInfo r) {
        return r.ref().key();
    }
}
