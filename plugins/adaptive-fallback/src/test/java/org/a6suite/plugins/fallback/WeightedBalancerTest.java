package org.a6suite.plugins.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.a6suite.plugins.fallback.internal.UpstreamSpec;
import org.a6suite.plugins.fallback.internal.UpstreamSpec.Node;
import org.a6suite.plugins.fallback.internal.WeightedBalancer;
import org.junit.jupiter.api.Test;

class WeightedBalancerTest {

    private static final Node A = new Node("a", 1, 5, 0);
    private static final Node B = new Node("b", 1, 1, 0);
    private static final Node C = new Node("c", 1, 1, 0);

    private static WeightedBalancer of(Node... nodes) {
        return new WeightedBalancer(new UpstreamSpec(List.of(nodes), "http", UpstreamSpec.Timeout.NGINX_DEFAULT));
    }

    private static List<String> picks(WeightedBalancer balancer, int n, Set<Node> excluded) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(balancer.pick(excluded::contains).map(Node::host).orElse("-"));
        }
        return out;
    }

    @Test
    void shouldSpreadLikeNginxSmoothWeightedRoundRobin() {
        assertThat(picks(of(A, B, C), 7, Set.of())).containsExactly("a", "a", "b", "a", "c", "a", "a");
    }

    @Test
    void shouldSkipExcludedNodesAndNeverPickWeightZero() {
        Node zero = new Node("z", 1, 0, 0);
        assertThat(picks(of(A, B, zero), 6, Set.of(A))).containsOnly("b");
        assertThat(picks(of(zero), 2, Set.of())).containsOnly("-");
    }

    @Test
    void shouldUseALowerPriorityOnlyWhenTheHigherIsExhausted() {
        Node backup = new Node("backup", 1, 1, -1);
        assertThat(picks(of(B, backup), 3, Set.of())).containsOnly("b");
        assertThat(picks(of(B, backup), 3, Set.of(B))).containsOnly("backup");
    }
}
