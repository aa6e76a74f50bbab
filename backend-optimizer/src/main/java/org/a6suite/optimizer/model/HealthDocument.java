package org.a6suite.optimizer.model;

import java.util.Map;

/**
 * One APISIX node's health report ({@code <health-prefix>/<node-id>}); see {@code docs/health-document.md}.
 *
 * @param nodeId        the APISIX node that reported
 * @param generatedAtMs when the report was made (epoch ms)
 * @param intervalMs    the interval the counts cover
 * @param upstreams     upstream key ({@code upstreams/1}) -&gt; node address ({@code host:port}) -&gt; health
 */
public record HealthDocument(
        String nodeId, long generatedAtMs, long intervalMs, Map<String, Map<String, NodeHealth>> upstreams) {

    public HealthDocument {
        upstreams = Map.copyOf(upstreams);
    }
}
