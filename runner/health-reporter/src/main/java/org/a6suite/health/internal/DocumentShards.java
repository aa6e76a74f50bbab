package org.a6suite.health.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Splits a health document that is too large for one etcd value (etcd refuses requests over 1.5 MiB by default) into
 * shards, as {@code docs/health-document.md} allows: each shard is a complete version-1 document with the same header
 * and a disjoint subset of the upstreams, so a reader merging every key under the prefix sees the same facts.
 */
public final class DocumentShards {

    private static final ObjectMapper JSON = Json.MAPPER;

    private DocumentShards() {}

    /**
     * @return {@code [document]} when it fits in {@code maxBytes} (UTF-8), else the shards in a stable order; an
     *         upstream larger than {@code maxBytes} on its own gets a shard of its own
     */
    public static List<String> split(String document, int maxBytes) {
        if (document.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return List.of(document);
        }
        ObjectNode root = (ObjectNode) JSON.readTree(document);
        ObjectNode header = root.deepCopy();
        header.remove("upstreams");
        int headerBytes = JSON.writeValueAsBytes(header).length + "\"upstreams\":{}".length() + 1;
        List<String> shards = new ArrayList<>();
        ObjectNode current = JSON.createObjectNode();
        int size = headerBytes;
        for (Map.Entry<String, JsonNode> upstream : root.path("upstreams").properties()) {
            int entryBytes = JSON.writeValueAsBytes(upstream.getValue()).length
                    + upstream.getKey().getBytes(StandardCharsets.UTF_8).length
                    + 4;
            if (!current.isEmpty() && size + entryBytes > maxBytes) {
                shards.add(shard(header, current));
                current = JSON.createObjectNode();
                size = headerBytes;
            }
            current.set(upstream.getKey(), upstream.getValue());
            size += entryBytes;
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(shard(header, current));
        }
        return shards;
    }

    private static String shard(ObjectNode header, ObjectNode upstreams) {
        ObjectNode doc = header.deepCopy();
        // "requests" counts what this shard covers, so summing shards gives the document's total
        long requests = 0;
        for (JsonNode upstream : upstreams) {
            for (JsonNode node : upstream.path("nodes")) {
                requests += node.path("requests").asLong(0);
            }
        }
        if (doc.has("requests")) {
            doc.put("requests", requests);
        }
        doc.set("upstreams", upstreams);
        return JSON.writeValueAsString(doc);
    }
}
