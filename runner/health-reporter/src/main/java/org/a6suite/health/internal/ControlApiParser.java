package org.a6suite.health.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads APISIX's Control API {@code GET /v1/healthcheck}: {@code [{name: "/apisix/upstreams/1", nodes: [{ip, port,
 * status, counter}]}]} into node health ({@code healthy}, {@code unhealthy}, {@code mostly_healthy},
 * {@code mostly_unhealthy}). The name's {@code /apisix/} prefix is dropped to give the relative key
 * ({@code upstreams/1}, {@code routes/7} for an inline upstream). Only upstreams with {@code checks} that served traffic
 * appear. Entries it cannot read are skipped.
 */
public final class ControlApiParser {

    private static final ObjectMapper JSON = Json.MAPPER;

    private ControlApiParser() {}

    /** @throws IllegalArgumentException when the body is not JSON or not an array */
    public static Map<NodeKey, String> parse(String body, UnaryOperator<String> keyMapping) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("control API answer: not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("control API answer: " + (root == null ? "empty" : root.getNodeType())
                    + " (expected: a JSON array)");
        }
        Map<NodeKey, String> out = new TreeMap<>();
        for (JsonNode upstream : root) {
            String name = upstream.path("name").asString("");
            String key = relativeKey(name);
            if (key.isEmpty()) {
                continue;
            }
            for (JsonNode node : upstream.path("nodes")) {
                String ip = node.path("ip").asString("");
                int port = node.path("port").asInt(0);
                String status = node.path("status").asString("");
                if (ip.isEmpty() || port <= 0 || status.isEmpty()) {
                    continue;
                }
                String host = ip.contains(":") && !ip.startsWith("[") ? "[" + ip + "]" : ip;
                out.put(new NodeKey(keyMapping.apply(key), host + ":" + port), status);
            }
        }
        return out;
    }

    /** {@code /apisix/upstreams/1} -> {@code upstreams/1}; any other configured prefix is dropped the same way. */
    static String relativeKey(String name) {
        String[] parts = name.split("/");
        // ["", "apisix", "upstreams", "1"]: keep the last two parts
        if (parts.length < 3) {
            return "";
        }
        String dir = parts[parts.length - 2];
        String id = parts[parts.length - 1];
        if (id.isEmpty() || !(dir.equals("upstreams") || dir.equals("routes") || dir.equals("services"))) {
            return "";
        }
        return dir + "/" + id;
    }
}
