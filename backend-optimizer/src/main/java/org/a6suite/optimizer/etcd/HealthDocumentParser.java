package org.a6suite.optimizer.etcd;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.HealthDocument;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Percentiles;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a health document (schema in {@code docs/health-document.md}, version 1). Unknown fields are ignored; a
 * missing latency, connect or response object or {@code health} is simply absent; a document that is not JSON, has
 * another {@code version} or lacks {@code node_id} / {@code generated_at_ms} is rejected.
 */
public final class HealthDocumentParser {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private HealthDocumentParser() {}

    /** Parses a document; the message of the exception names the offending field. */
    public static HealthDocument parse(String json) {
        requireNonNull(json, "json");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("health document: not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(
                    "health document: " + json.length() + " chars (expected: a JSON object)");
        }
        int version = root.path("version").asInt(0);
        if (version != 1) {
            throw new IllegalArgumentException("version: " + root.path("version") + " (expected: 1)");
        }
        String nodeId = root.path("node_id").asString("");
        if (nodeId.isEmpty()) {
            throw new IllegalArgumentException("node_id: " + root.path("node_id") + " (expected: a non-empty string)");
        }
        long generatedAt = root.path("generated_at_ms").asLong(-1);
        if (generatedAt <= 0) {
            throw new IllegalArgumentException(
                    "generated_at_ms: " + root.path("generated_at_ms") + " (expected: epoch milliseconds > 0)");
        }
        long interval = root.path("interval_ms").asLong(5000);
        Map<String, Map<String, NodeHealth>> upstreams = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> up : root.path("upstreams").properties()) {
            Map<String, NodeHealth> nodes = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> n : up.getValue().path("nodes").properties()) {
                nodes.put(n.getKey(), node(n.getValue()));
            }
            upstreams.put(up.getKey(), Map.copyOf(nodes));
        }
        return new HealthDocument(nodeId, generatedAt, interval <= 0 ? 5000 : interval, upstreams);
    }

    private static NodeHealth node(JsonNode n) {
        JsonNode errors = n.path("errors");
        List<String> sources = new ArrayList<>();
        for (JsonNode s : n.path("sources")) {
            sources.add(s.asString(""));
        }
        String health = n.path("health").asString("");
        return new NodeHealth(
                Math.max(0, n.path("requests").asLong(0)),
                Math.max(0, errors.path("http_5xx").asLong(0)),
                Math.max(0, errors.path("http_4xx").asLong(0)),
                Math.max(0, errors.path("timeout").asLong(0)),
                Math.max(0, errors.path("connect").asLong(0)),
                percentiles(n.path("latency_ms")),
                percentiles(n.path("connect_ms")),
                percentiles(n.path("response_ms")),
                health.isEmpty() ? Optional.empty() : Optional.of(health),
                sources);
    }

    private static Percentiles percentiles(JsonNode p) {
        if (!p.isObject()) {
            return Percentiles.NONE;
        }
        return new Percentiles(num(p, "p50"), num(p, "p90"), num(p, "p99"), num(p, "p999"));
    }

    private static double num(JsonNode p, String field) {
        JsonNode v = p.get(field);
        return v != null && v.isNumber() && v.asDouble() >= 0 ? v.asDouble() : Double.NaN;
    }
}
