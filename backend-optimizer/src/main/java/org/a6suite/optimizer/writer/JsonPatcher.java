package org.a6suite.optimizer.writer;

import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamNode;
import org.a6suite.optimizer.model.UpstreamRef;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Changes only {@code timeout} and node weights of stored APISIX JSON, leaving every other field (and the field order)
 * as it was, and sets {@code update_time} (unix seconds) on the stored object as the Admin API does.
 */
final class JsonPatcher {

    private JsonPatcher() {}

    static ObjectNode patch(
            ObjectNode root,
            UpstreamRef ref,
            Optional<Timeouts> timeout,
            Map<String, Integer> weights,
            long nowSeconds) {
        ObjectNode copy = root.deepCopy();
        JsonNode target = ref.inline() ? copy.get("upstream") : copy;
        if (!(target instanceof ObjectNode up)) {
            throw new IllegalStateException("upstream: missing in " + ref + " (expected: an object)");
        }
        timeout.ifPresent(t -> {
            ObjectNode tn = up.putObject("timeout");
            tn.put("connect", t.connect());
            tn.put("send", t.send());
            tn.put("read", t.read());
        });
        JsonNode nodes = up.get("nodes");
        if (nodes != null && nodes.isArray()) {
            for (JsonNode n : nodes) {
                if (n instanceof ObjectNode on) {
                    String addr = new UpstreamNode(
                                    on.path("host").asString(""),
                                    on.path("port").asInt(80),
                                    0,
                                    0)
                            .address();
                    Integer w = weights.get(addr);
                    if (w != null) {
                        on.put("weight", w.intValue());
                    }
                }
            }
        } else if (nodes instanceof ObjectNode map) {
            for (Map.Entry<String, Integer> e : weights.entrySet()) {
                String key = mapKey(map, e.getKey());
                if (key != null) {
                    map.put(key, e.getValue().intValue());
                }
            }
        }
        copy.put("update_time", nowSeconds);
        return copy;
    }

    /** The map key for an address: APISIX writes IPv6 either bracketed or not. */
    private static String mapKey(ObjectNode map, String address) {
        if (map.has(address)) {
            return address;
        }
        if (address.startsWith("[")) {
            String bare = address.substring(1).replace("]:", ":");
            return map.has(bare) ? bare : null;
        }
        return null;
    }
}
