package org.a6suite.optimizer.etcd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.RouteInfo;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamNode;
import org.a6suite.optimizer.model.UpstreamRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the parts of APISIX's stored JSON the optimizer needs: an upstream's {@code nodes} (array of {@code {host,
 * port, weight, priority}} or map {@code {"host:port": weight}}) and {@code timeout}; a route's or service's
 * {@code upstream_id}, {@code service_id}, inline {@code upstream} and (routes only) {@code timeout}.
 */
public final class ApisixObjectParser {

    /** APISIX's {@code init_dir} placeholder value: not JSON, skipped. */
    public static final String INIT_DIR = "init_dir";

    static final ObjectMapper JSON = JsonMapper.builder().build();

    private ApisixObjectParser() {}

    /** Parses stored JSON; empty for {@code init_dir} and anything that is not a JSON object. */
    public static Optional<JsonNode> tree(String value) {
        if (value == null || value.isBlank() || value.strip().equals(INIT_DIR)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(value);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The upstream of an upstream object, or the inline {@code upstream} of a route or service, if it has nodes. */
    public static Optional<UpstreamConfig> upstream(UpstreamRef ref, long modRevision, JsonNode object) {
        JsonNode up = ref.inline() ? object.get("upstream") : object;
        if (up == null || !up.isObject()) {
            return Optional.empty();
        }
        JsonNode nodes = up.get("nodes");
        List<UpstreamNode> result = new ArrayList<>();
        boolean asMap = false;
        if (nodes != null && nodes.isArray()) {
            for (JsonNode n : nodes) {
                result.add(new UpstreamNode(
                        n.path("host").asString(""),
                        n.path("port").asInt(80),
                        n.path("weight").asInt(1),
                        n.path("priority").asInt(0)));
            }
        } else if (nodes != null && nodes.isObject()) {
            asMap = true;
            for (Map.Entry<String, JsonNode> e : nodes.properties()) {
                String key = e.getKey();
                int colon = key.lastIndexOf(':');
                String host = colon > 0 ? key.substring(0, colon) : key;
                int port = colon > 0 ? parsePort(key.substring(colon + 1)) : 80;
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                result.add(new UpstreamNode(host, port, e.getValue().asInt(1), 0));
            }
        } else {
            // service discovery (discovery_type) or no nodes: nothing to weigh
            return Optional.empty();
        }
        return Optional.of(new UpstreamConfig(ref, modRevision, result, timeout(up.get("timeout")), asMap));
    }

    /** A route's or service's references and (routes only) its own timeout. */
    public static RouteInfo route(UpstreamRef ref, JsonNode object) {
        return new RouteInfo(
                ref,
                text(object.get("upstream_id")),
                text(object.get("service_id")),
                ref.kind().equals("routes") ? timeout(object.get("timeout")) : Optional.empty());
    }

    static Optional<Timeouts> timeout(JsonNode t) {
        if (t == null || !t.isObject()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Timeouts(
                    t.path("connect").asDouble(60),
                    t.path("send").asDouble(60),
                    t.path("read").asDouble(60)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode n) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        String s = n.isNumber() ? n.asString() : n.asString("");
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static int parsePort(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}
