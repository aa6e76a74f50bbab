package org.a6suite.emulator.internal;

import java.util.List;
import org.a6suite.emulator.EmulatorUpstream;

/** Smooth weighted round robin over a route's nodes, the order nginx's and APISIX's roundrobin balancers give. */
final class WeightedRoundRobin {
    private final List<EmulatorUpstream.Node> nodes;
    private final int[] current;
    private final int total;

    WeightedRoundRobin(List<EmulatorUpstream.Node> nodes) {
        this.nodes = List.copyOf(nodes);
        this.current = new int[nodes.size()];
        this.total = nodes.stream().mapToInt(EmulatorUpstream.Node::weight).sum();
    }

    synchronized EmulatorUpstream.Node next() {
        int best = -1;
        for (int i = 0; i < nodes.size(); i++) {
            current[i] += nodes.get(i).weight();
            if (nodes.get(i).weight() > 0 && (best < 0 || current[i] > current[best])) {
                best = i;
            }
        }
        current[best] -= total;
        return nodes.get(best);
    }
}
