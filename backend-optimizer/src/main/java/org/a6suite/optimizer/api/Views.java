package org.a6suite.optimizer.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Percentiles;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.service.SeriesPoint;
import org.a6suite.optimizer.writer.Decision;
import org.a6suite.optimizer.writer.Setting;

/**
 * JSON shapes of the API, built explicitly so the wire format does not follow internal refactorings. Every key is
 * snake_case, like the rest of the API.
 */
final class Views {

    private Views() {}

    static Map<String, Object> summary(UpstreamConfig c, Optional<Recommendation> rec, String mode, boolean paused) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("upstream", c.ref().key());
        m.put("kind", c.ref().kind());
        m.put("id", c.ref().id());
        m.put("mode", mode);
        m.put("paused", paused);
        m.put("mod_revision", c.modRevision());
        m.put("timeout", c.timeout().orElse(null));
        m.put("weights", c.weights());
        m.put(
                "status",
                rec.map(r -> r.status().name().toLowerCase(java.util.Locale.ROOT))
                        .orElse("pending"));
        m.put("has_change", rec.map(Recommendation::hasChange).orElse(false));
        m.put("requests", rec.map(r -> r.inputs().requests()).orElse(0L));
        // null without requests: an error rate of no data is unknown, not 0 %
        m.put(
                "error_rate",
                rec.filter(r -> r.inputs().requests() > 0)
                        .map(r -> r.inputs().errorRate())
                        .orElse(null));
        return m;
    }

    static Map<String, Object> recommendation(Recommendation r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", r.status().name().toLowerCase(java.util.Locale.ROOT));
        m.put("has_change", r.hasChange());
        m.put("current_timeout", r.currentTimeout());
        m.put("timeout", r.timeout().orElse(null));
        m.put("current_weights", r.currentWeights());
        m.put("weights", r.weights());
        m.put("reasons", r.reasons());
        m.put("route_overrides", r.routeOverrides());
        m.put("inputs", r.inputs());
        return m;
    }

    static Map<String, Object> health(Map<String, NodeHealth> nodes) {
        Map<String, Object> m = new LinkedHashMap<>();
        nodes.forEach((addr, h) -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("requests", h.requests());
            n.put(
                    "errors",
                    Map.of(
                            "http_5xx",
                            h.http5xx(),
                            "http_4xx",
                            h.http4xx(),
                            "timeout",
                            h.timeouts(),
                            "connect",
                            h.connect()));
            n.put("error_rate", h.errorRate());
            n.put("latency_ms", percentiles(h.latency()));
            n.put("connect_ms", percentiles(h.connectMs()));
            n.put("response_ms", percentiles(h.responseMs()));
            n.put("health", h.health().orElse(null));
            n.put("sources", h.sources());
            m.put(addr, n);
        });
        return m;
    }

    /**
     * The dashboard's data for one upstream: the node order, its points over time (per point {@code at_ms},
     * {@code requests}, {@code error_rate}, {@code p50}, {@code p99}, {@code timeout}, {@code weights} and per-node
     * {@code nodes}) and its decisions with their settings before and after and the inputs behind them, so the
     * dashboard can draw each node and say in words why a decision was taken.
     */
    static Map<String, Object> series(UpstreamConfig c, List<SeriesPoint> points, List<Decision> history, long nowMs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("upstream", c.ref().key());
        m.put("now_ms", nowMs);
        m.put("nodes", List.copyOf(c.weights().keySet()));
        m.put("points", points.stream().map(Views::seriesPoint).toList());
        m.put("decisions", history.stream().map(Views::seriesDecision).toList());
        return m;
    }

    private static Map<String, Object> seriesPoint(SeriesPoint p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at_ms", p.atMs());
        m.put("requests", p.requests());
        m.put("error_rate", p.errorRate());
        m.put("p50", p.p50());
        m.put("p99", p.p99());
        m.put("timeout", p.timeout());
        m.put("weights", p.weights());
        m.put("nodes", nodeInputs(p.nodes(), p.weights()));
        return m;
    }

    private static Map<String, Object> seriesDecision(Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("at_ms", d.atMs());
        m.put("kind", d.kind());
        m.put("actor", d.actor());
        m.put("reasons", d.reasons());
        m.put("before", setting(d.before()));
        m.put("after", setting(d.after()));
        m.put("rollback_of", d.rollbackOf());
        Recommendation.Inputs in = d.inputs() == null ? Recommendation.Inputs.NONE : d.inputs();
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("requests", in.requests());
        inputs.put("error_rate", in.errorRate());
        inputs.put("nodes", nodeInputs(in.nodes(), d.before().weights()));
        m.put("inputs", inputs);
        return m;
    }

    private static Map<String, Object> setting(Setting s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timeout", s.timeout());
        m.put("weights", s.weights());
        return m;
    }

    /** Per-node inputs in the upstream's node order (then any others), snake_case like the rest of the API. */
    private static Map<String, Object> nodeInputs(
            Map<String, Recommendation.NodeInput> nodes, Map<String, Integer> order) {
        Map<String, Object> m = new LinkedHashMap<>();
        java.util.LinkedHashSet<String> addrs = new java.util.LinkedHashSet<>(order.keySet());
        addrs.addAll(new java.util.TreeSet<>(nodes.keySet()));
        for (String addr : addrs) {
            Recommendation.NodeInput n = nodes.get(addr);
            if (n == null) {
                continue;
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("requests", n.requests());
            v.put("error_rate", n.errorRate());
            v.put("p50_ms", n.latencyP50());
            v.put("p99_ms", n.latencyP99());
            v.put("health", n.health());
            v.put("score", n.score());
            v.put("ejected", n.ejected());
            m.put(addr, v);
        }
        return m;
    }

    private static Map<String, Double> percentiles(Percentiles p) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String name : new String[] {"p50", "p90", "p99", "p999"}) {
            p.get(name).ifPresent(v -> m.put(name, v));
        }
        return m;
    }
}
