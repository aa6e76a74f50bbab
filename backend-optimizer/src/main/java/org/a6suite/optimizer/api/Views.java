package org.a6suite.optimizer.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Percentiles;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.policy.Recommendation;

/** JSON shapes of the API, built explicitly so the wire format does not follow internal refactorings. */
final class Views {

    private Views() {
    }

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
        m.put("status", rec.map(r -> r.status().name().toLowerCase(java.util.Locale.ROOT)).orElse("pending"));
        m.put("has_change", rec.map(Recommendation::hasChange).orElse(false));
        m.put("requests", rec.map(r -> r.inputs().requests()).orElse(0L));
        // null without requests: an error rate of no data is unknown, not 0 %
        m.put("error_rate", rec.filter(r -> r.inputs().requests() > 0).map(r -> r.inputs().errorRate()).orElse(null));
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
            n.put("errors", Map.of("http_5xx", h.http5xx(), "http_4xx", h.http4xx(), "timeout", h.timeouts(),
                    "connect", h.connect()));
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

    private static Map<String, Double> percentiles(Percentiles p) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String name : new String[] {"p50", "p90", "p99", "p999"}) {
            p.get(name).ifPresent(v -> m.put(name, v));
        }
        return m;
    }
}
