package org.a6suite.health.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * APISIX's prometheus exporter labels series with the picked node's IP only ({@code node="127.0.0.1"}, from
 * {@code ctx.balancer_ip}), while the health document names nodes {@code host:port}. This gives an IP its port when
 * exactly one {@code ip:port} of the same upstream key is known from another source (the Control API or the runner's
 * outcomes); otherwise the bare IP stays, since guessing could merge two nodes on one host.
 */
public final class NodeResolver {

    private NodeResolver() {}

    public static Map<NodeKey, IntervalStats> resolve(
            Map<NodeKey, IntervalStats> prometheus, Collection<NodeKey> known) {
        Map<NodeKey, IntervalStats> out = new TreeMap<>();
        for (Map.Entry<NodeKey, IntervalStats> e : prometheus.entrySet()) {
            NodeKey key = e.getKey();
            NodeKey resolved = key;
            if (!hasPort(key.node())) {
                List<NodeKey> candidates = new ArrayList<>();
                for (NodeKey k : known) {
                    if (k.upstreamKey().equals(key.upstreamKey())
                            && host(k.node()).equals(key.node())) {
                        candidates.add(k);
                    }
                }
                if (candidates.size() == 1) {
                    resolved = candidates.get(0);
                }
            }
            out.merge(resolved, e.getValue(), NodeResolver::sum);
        }
        return out;
    }

    private static boolean hasPort(String node) {
        if (node.startsWith("[")) {
            return node.contains("]:");
        }
        int colon = node.indexOf(':');
        return colon >= 0 && colon == node.lastIndexOf(':');
    }

    private static String host(String node) {
        if (node.startsWith("[")) {
            int end = node.indexOf(']');
            return end > 0 ? node.substring(1, end) : node;
        }
        int colon = node.lastIndexOf(':');
        return colon > 0 && colon == node.indexOf(':') ? node.substring(0, colon) : node;
    }

    private static IntervalStats sum(IntervalStats a, IntervalStats b) {
        return new IntervalStats(
                a.requests() + b.requests(),
                a.http5xx() + b.http5xx(),
                a.http4xx() + b.http4xx(),
                a.timeout() + b.timeout(),
                a.connect() + b.connect(),
                a.latency().or(b::latency));
    }
}
