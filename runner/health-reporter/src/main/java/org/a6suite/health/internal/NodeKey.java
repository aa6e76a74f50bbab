package org.a6suite.health.internal;

import static java.util.Objects.requireNonNull;

/** One upstream node: the relative APISIX key ({@code upstreams/1}) and {@code host:port}. */
public record NodeKey(String upstreamKey, String node) implements Comparable<NodeKey> {

    public NodeKey {
        requireNonNull(upstreamKey, "upstreamKey");
        requireNonNull(node, "node");
    }

    @Override
    public int compareTo(NodeKey o) {
        int c = upstreamKey.compareTo(o.upstreamKey);
        return c != 0 ? c : node.compareTo(o.node);
    }
}
