package org.a6suite.health.internal;

import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Works out, from APISIX's own route and service objects in etcd, which upstream key a route's traffic belongs to, as
 * the health-document contract wants: a route with {@code upstream_id} (directly, or through its service when it has
 * no upstream of its own) reports under {@code upstreams/<id>}; a service's inline upstream under
 * {@code services/<id>}; a route's inline upstream under {@code routes/<id>} (no entry needed). Values that are not
 * JSON objects (APISIX's {@code init_dir} placeholders) are skipped.
 */
public final class ApisixKeyResolver {

    private static final ObjectMapper JSON = Json.MAPPER;

    private ApisixKeyResolver() {}

    /**
     * @param objects etcd key (with or without the APISIX prefix, e.g. {@code /apisix/routes/1}) to its raw value,
     *                for the {@code routes/} and {@code services/} directories
     * @return {@code routes/<id>} or {@code services/<id>} to the key to report under, only where it differs
     */
    public static Map<String, String> resolve(Map<String, String> objects) {
        Map<String, JsonNode> routes = new HashMap<>();
        Map<String, JsonNode> services = new HashMap<>();
        for (Map.Entry<String, String> e : objects.entrySet()) {
            String relative = ControlApiParser.relativeKey(e.getKey());
            if (relative.isEmpty()) {
                continue;
            }
            JsonNode value;
            try {
                value = JSON.readTree(e.getValue());
            } catch (JacksonException ex) {
                continue;
            }
            if (value == null || !value.isObject()) {
                continue;
            }
            if (relative.startsWith("routes/")) {
                routes.put(relative.substring("routes/".length()), value);
            } else if (relative.startsWith("services/")) {
                services.put(relative.substring("services/".length()), value);
            }
        }
        Map<String, String> mapping = new HashMap<>();
        services.forEach((id, s) -> {
            if (!s.path("upstream").isObject() && hasId(s.get("upstream_id"))) {
                mapping.put(
                        "services/" + id, "upstreams/" + s.get("upstream_id").asString());
            }
        });
        routes.forEach((id, r) -> {
            if (r.path("upstream").isObject()) {
                return;
            }
            if (hasId(r.get("upstream_id"))) {
                mapping.put("routes/" + id, "upstreams/" + r.get("upstream_id").asString());
            } else if (hasId(r.get("service_id"))) {
                String sid = r.get("service_id").asString();
                mapping.put("routes/" + id, mapping.getOrDefault("services/" + sid, "services/" + sid));
            }
        });
        return Map.copyOf(mapping);
    }

    /**
     * The nodes APISIX's configuration names, per upstream key: {@code upstreams/<id>} objects and the inline
     * upstreams of routes and services, with nodes as a map ({@code "host:port": weight}) or an array
     * ({@code {host, port}}). The prometheus exporter labels a node by IP only; these give it its port.
     *
     * @param objects etcd key to raw value for the {@code upstreams/}, {@code routes/} and {@code services/}
     *                directories
     */
    public static java.util.Set<NodeKey> configuredNodes(Map<String, String> objects) {
        java.util.Set<NodeKey> nodes = new java.util.HashSet<>();
        for (Map.Entry<String, String> e : objects.entrySet()) {
            String relative = ControlApiParser.relativeKey(e.getKey());
            JsonNode value;
            try {
                value = JSON.readTree(e.getValue());
            } catch (JacksonException ex) {
                continue;
            }
            if (relative.isEmpty() || value == null || !value.isObject()) {
                continue;
            }
            JsonNode upstream = relative.startsWith("upstreams/") ? value : value.path("upstream");
            addNodes(relative, upstream.path("nodes"), nodes);
        }
        return nodes;
    }

    private static void addNodes(String upstreamKey, JsonNode nodes, java.util.Set<NodeKey> out) {
        if (nodes.isObject()) {
            nodes.propertyNames().forEach(hostPort -> out.add(new NodeKey(upstreamKey, hostPort)));
        } else if (nodes.isArray()) {
            for (JsonNode n : nodes) {
                if (n.path("host").isString() && n.path("port").isIntegralNumber()) {
                    out.add(new NodeKey(
                            upstreamKey,
                            n.get("host").asString() + ":" + n.get("port").asInt()));
                }
            }
        }
    }

    private static boolean hasId(JsonNode id) {
        return id != null
                && (id.isString() || id.isIntegralNumber())
                && !id.asString().isEmpty();
    }
}
