package org.a6suite.health.internal;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.UpstreamHealth;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns the health document the reporter just built (the etcd contract, {@code docs/health-document.md}) into the
 * in-process view plugins read, so both see exactly the same facts.
 */
public final class DocumentSnapshots {

    private static final ObjectMapper JSON = Json.MAPPER;

    private DocumentSnapshots() {}

    public static HealthSnapshots parse(String document) {
        JsonNode root = JSON.readTree(document);
        Instant generatedAt = Instant.ofEpochMilli(root.path("generated_at_ms").asLong(0));
        Map<String, UpstreamHealth> upstreams = new HashMap<>();
        root.path("upstreams").properties().forEach(u -> {
            Map<String, UpstreamHealth.NodeHealth> nodes = new HashMap<>();
            u.getValue().path("nodes").properties().forEach(n -> {
                JsonNode v = n.getValue();
                JsonNode errors = v.path("errors");
                long failed = errors.path("http_5xx").asLong(0)
                        + errors.path("timeout").asLong(0)
                        + errors.path("connect").asLong(0);
                Optional<String> status = v.path("health").isString()
                        ? Optional.of(v.get("health").asString())
                        : Optional.empty();
                nodes.put(
                        n.getKey(),
                        new UpstreamHealth.NodeHealth(v.path("requests").asLong(0), failed, status));
            });
            upstreams.put(u.getKey(), new UpstreamHealth(u.getKey(), generatedAt, nodes));
        });
        Map<String, UpstreamHealth> view = Map.copyOf(upstreams);
        return key -> Optional.ofNullable(view.get(key));
    }
}
