package org.a6suite.health.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the health document (schema: {@code docs/health-document.md}, version 1) from the three sources.
 *
 * <p>Merging: APISIX's prometheus numbers describe every request APISIX proxied to a node, which includes the
 * post-resp calls the runner also records, so when prometheus has a node its counts and latency win and the runner's
 * are not added (no double counting); the runner contributes {@code timeout} and {@code connect}, which prometheus
 * cannot tell apart from other 5xx. Nodes only the runner sees (AI providers, MCP backends) carry the runner's numbers.
 * The Control API gives {@code health}. {@code sources} lists every source that knew the node this interval.
 * {@code connect_ms} and {@code response_ms} are omitted: none of the sources measures them separately.
 *
 * <p>{@code interval_ms} is the time the counts cover (from the previous document to this one) and the top-level
 * {@code requests} their sum over every node, so a reader can tell "no data" from a measured quiet period.
 */
public final class DocumentWriter {

    public static final int VERSION = 1;
    private static final ObjectMapper JSON = Json.MAPPER;

    private DocumentWriter() {}

    public static String write(
            String nodeId,
            long generatedAtMs,
            long intervalMs,
            Map<NodeKey, IntervalStats> runner,
            Map<NodeKey, IntervalStats> prometheus,
            Map<NodeKey, String> health) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        root.put("node_id", nodeId);
        root.put("generated_at_ms", generatedAtMs);
        root.put("interval_ms", intervalMs);
        // Filled in below: every document says how many requests it covers, next to interval_ms (how long).
        root.put("requests", 0L);
        long total = 0;
        ObjectNode upstreams = root.putObject("upstreams");
        TreeSet<NodeKey> keys = new TreeSet<>(runner.keySet());
        keys.addAll(prometheus.keySet());
        keys.addAll(health.keySet());
        for (NodeKey key : keys) {
            IntervalStats fromRunner = runner.get(key);
            IntervalStats fromPrometheus = prometheus.get(key);
            List<String> sources = new ArrayList<>();
            IntervalStats counts;
            Optional<Percentiles> latency;
            if (fromPrometheus != null) {
                sources.add("prometheus");
                counts = fromPrometheus;
                latency =
                        fromPrometheus.latency().or(() -> fromRunner == null ? Optional.empty() : fromRunner.latency());
            } else if (fromRunner != null) {
                counts = fromRunner;
                latency = fromRunner.latency();
            } else {
                counts = IntervalStats.EMPTY;
                latency = Optional.empty();
            }
            if (health.containsKey(key)) {
                sources.add("control_api");
            }
            if (fromRunner != null) {
                sources.add("runner");
            }
            ObjectNode upstream = upstreams.get(key.upstreamKey()) instanceof ObjectNode existing
                    ? existing
                    : upstreams.putObject(key.upstreamKey());
            ObjectNode nodes =
                    upstream.get("nodes") instanceof ObjectNode existing ? existing : upstream.putObject("nodes");
            ObjectNode node = nodes.putObject(key.node());
            node.put("requests", counts.requests());
            total += counts.requests();
            ObjectNode errors = node.putObject("errors");
            errors.put("http_5xx", counts.http5xx());
            errors.put("http_4xx", counts.http4xx());
            errors.put("timeout", fromRunner == null ? 0 : fromRunner.timeout());
            errors.put("connect", fromRunner == null ? 0 : fromRunner.connect());
            latency.ifPresent(p -> {
                ObjectNode l = node.putObject("latency_ms");
                l.put("p50", p.p50());
                l.put("p90", p.p90());
                l.put("p99", p.p99());
                l.put("p999", p.p999());
            });
            Optional.ofNullable(health.get(key)).ifPresent(h -> node.put("health", h));
            sources.forEach(node.putArray("sources")::add);
        }
        root.put("requests", total);
        return JSON.writeValueAsString(root);
    }
}
