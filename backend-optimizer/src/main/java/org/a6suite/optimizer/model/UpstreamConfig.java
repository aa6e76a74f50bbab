package org.a6suite.optimizer.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An upstream as the optimizer sees it: its nodes and timeout, where it lives and at which etcd {@code mod_revision}.
 *
 * @param ref           the upstream
 * @param modRevision   the etcd mod revision of the key holding it (the route or service for inline upstreams)
 * @param nodes         the nodes, in configuration order
 * @param timeout       the upstream's {@code timeout}, if set
 * @param nodesAsMap    whether {@code nodes} is stored as a {@code {"host:port": weight}} map
 */
public record UpstreamConfig(
        UpstreamRef ref, long modRevision, List<UpstreamNode> nodes, Optional<Timeouts> timeout, boolean nodesAsMap) {

    public UpstreamConfig {
        nodes = List.copyOf(nodes);
    }

    /** Node weights by address, in configuration order. */
    public Map<String, Integer> weights() {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (UpstreamNode node : nodes) {
            weights.put(node.address(), node.weight());
        }
        return weights;
    }
}
