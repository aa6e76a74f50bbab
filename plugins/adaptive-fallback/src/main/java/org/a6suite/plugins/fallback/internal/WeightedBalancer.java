package org.a6suite.plugins.fallback.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * APISIX's {@code roundrobin} balancer as the lane plays it: nodes grouped by {@code priority} (highest first), each
 * group balanced by nginx's smooth weighted round robin ({@code ngx_http_upstream_get_peer}: every eligible peer's
 * current weight grows by its weight, the largest is picked and loses the total; weights 5, 1, 1 give
 * {@code a a b a c a a}). Weight 0 is never picked; a node the caller excludes (already tried for this request,
 * marked down by the health data) is skipped before its weight is added, as nginx skips tried peers.
 *
 * <p>One balancer serves one version of an upstream; a new version (a weight written to etcd) gets a new balancer,
 * so the change applies from the next pick. Thread-safe.
 */
public final class WeightedBalancer {

    private final UpstreamSpec spec;
    private final List<Group> groups;

    public WeightedBalancer(UpstreamSpec spec) {
        this.spec = spec;
        TreeMap<Integer, List<UpstreamSpec.Node>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        for (UpstreamSpec.Node n : spec.nodes()) {
            byPriority.computeIfAbsent(n.priority(), p -> new ArrayList<>()).add(n);
        }
        this.groups = byPriority.values().stream().map(Group::new).toList();
    }

    public UpstreamSpec spec() {
        return spec;
    }

    /** The next node {@code excluded} does not reject, highest priority group first; empty when none is left. */
    public Optional<UpstreamSpec.Node> pick(Predicate<UpstreamSpec.Node> excluded) {
        for (Group g : groups) {
            Optional<UpstreamSpec.Node> n = g.pick(excluded);
            if (n.isPresent()) {
                return n;
            }
        }
        return Optional.empty();
    }

    private static final class Group {
        private final List<UpstreamSpec.Node> nodes;
        private final long[] current;

        Group(List<UpstreamSpec.Node> nodes) {
            this.nodes = List.copyOf(nodes);
            this.current = new long[nodes.size()];
        }

        synchronized Optional<UpstreamSpec.Node> pick(Predicate<UpstreamSpec.Node> excluded) {
            int best = -1;
            long total = 0;
            for (int i = 0; i < nodes.size(); i++) {
                UpstreamSpec.Node n = nodes.get(i);
                if (n.weight() == 0 || excluded.test(n)) {
                    continue;
                }
                current[i] += n.weight();
                total += n.weight();
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            if (best < 0) {
                return Optional.empty();
            }
            current[best] -= total;
            return Optional.of(nodes.get(best));
        }
    }
}
