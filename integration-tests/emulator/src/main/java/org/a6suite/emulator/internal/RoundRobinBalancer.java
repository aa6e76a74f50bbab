package org.a6suite.emulator.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.a6suite.emulator.EmulatorUpstream;

/**
 * APISIX's {@code roundrobin} upstream type as the emulator plays it: nodes grouped by {@code priority} (highest
 * first, APISIX's priority balancer), each group balanced by nginx's smooth weighted round robin (weights 5, 1, 1 give
 * {@code a a b a c a a}); weight 0 is never picked. Within one request a node already tried is skipped, and a group
 * whose nodes have all been tried gives way to the next lower priority (APISIX's {@code balancer_tried_servers}).
 *
 * <p>One balancer serves every request of one upstream version; a new version (a weight change written to etcd) gets a
 * new balancer, so the change applies from the next request.
 */
public final class RoundRobinBalancer {

    private final List<Group> groups;

    public RoundRobinBalancer(List<EmulatorUpstream.Node> nodes) {
        TreeMap<Integer, List<EmulatorUpstream.Node>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        for (EmulatorUpstream.Node n : nodes) {
            byPriority.computeIfAbsent(n.priority(), p -> new ArrayList<>()).add(n);
        }
        this.groups = byPriority.values().stream().map(Group::new).toList();
    }

    /** The next node not in {@code tried}, or empty when none is left ("no valid upstream node"). */
    public Optional<EmulatorUpstream.Node> pick(Set<EmulatorUpstream.Node> tried) {
        for (Group g : groups) {
            Optional<EmulatorUpstream.Node> n = g.pick(tried);
            if (n.isPresent()) {
                return n;
            }
        }
        return Optional.empty();
    }

    /** One priority level: smooth weighted round robin (nginx's ngx_http_upstream_get_peer). */
    private static final class Group {
        private final List<EmulatorUpstream.Node> nodes;
        private final long[] current;

        Group(List<EmulatorUpstream.Node> nodes) {
            this.nodes = List.copyOf(nodes);
            this.current = new long[nodes.size()];
        }

        synchronized Optional<EmulatorUpstream.Node> pick(Set<EmulatorUpstream.Node> tried) {
            int best = -1;
            long sum = 0;
            for (int i = 0; i < nodes.size(); i++) {
                EmulatorUpstream.Node n = nodes.get(i);
                // nginx skips peers it already tried for this request before adding their weight
                if (n.weight() == 0 || tried.contains(n)) {
                    continue;
                }
                current[i] += n.weight();
                sum += n.weight();
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            if (best < 0) {
                return Optional.empty();
            }
            current[best] -= sum;
            return Optional.of(nodes.get(best));
        }
    }
}
