package org.a6suite.optimizer.writer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.etcd.KeyValue;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The operator's weights before the optimizer changed them ({@code <state>/baseline/<kind>/<id>}:
 * {@code {"weights": {...}, "written": {...}}}). They are the base the engine scales from. When the stored weights
 * differ from what the optimizer last wrote, someone else changed them: their weights become the new base.
 */
public final class Baselines {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Baselines() {}

    public static String key(String upstreamKey) {
        return "baseline/" + upstreamKey;
    }

    /** The base weights for an upstream whose weights are {@code current} now. */
    public static Map<String, Integer> effective(Optional<KeyValue> stored, Map<String, Integer> current) {
        if (stored.isEmpty()) {
            return current;
        }
        try {
            JsonNode root = JSON.readTree(stored.get().value());
            Map<String, Integer> written = weights(root.path("written"));
            if (!written.equals(current)) {
                return current;
            }
            Map<String, Integer> base = new LinkedHashMap<>(current);
            weights(root.path("weights")).forEach((k, v) -> {
                if (base.containsKey(k)) {
                    base.put(k, v);
                }
            });
            return base;
        } catch (RuntimeException e) {
            return current;
        }
    }

    static String encode(Map<String, Integer> base, Map<String, Integer> written) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode b = root.putObject("weights");
        base.forEach(b::put);
        ObjectNode w = root.putObject("written");
        written.forEach(w::put);
        return JSON.writeValueAsString(root);
    }

    private static Map<String, Integer> weights(JsonNode node) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            m.put(e.getKey(), e.getValue().asInt());
        }
        return m;
    }
}
