package org.a6suite.emulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.a6suite.emulator.EmulatorUpstream.Node;
import org.junit.jupiter.api.Test;

/**
 * APISIX's {@code roundrobin} type as the emulator plays it: nginx's smooth weighted round robin
 * ({@code ngx_http_upstream_get_peer}, whose documented example for weights 5, 1, 1 is {@code a a b a c a a}), weight 0
 * never picked (APISIX's upstream schema: weight >= 0), and {@code priority} groups (APISIX docs, Upstream: "nodes with
 * lower priority are used only when all nodes with a higher priority are tried or unavailable").
 */
class RoundRobinBalancerTest {

    private static final Node A = new Node("127.0.0.1", 1001, 5);
    private static final Node B = new Node("127.0.0.1", 1002, 1);
    private static final Node C = new Node("127.0.0.1", 1003, 1);

    @Test
    void shouldFollowNginxSmoothSequenceForWeights511() {
        RoundRobinBalancer balancer = new RoundRobinBalancer(List.of(A, B, C));
        List<Node> picked = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            picked.add(balancer.pick(Set.of()).orElseThrow());
        }
        assertThat(picked).containsExactly(A, A, B, A, C, A, A, A, A, B, A, C, A, A);
    }

    @Test
    void shouldSpreadPicksInProportionToWeights() {
        Node x = new Node("127.0.0.1", 2001, 100);
        Node y = new Node("127.0.0.1", 2002, 50);
        Node z = new Node("127.0.0.1", 2003, 10);
        RoundRobinBalancer balancer = new RoundRobinBalancer(List.of(x, y, z));
        Map<Node, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1600; i++) {
            counts.merge(balancer.pick(Set.of()).orElseThrow(), 1, Integer::sum);
        }
        assertThat(counts).containsEntry(x, 1000).containsEntry(y, 500).containsEntry(z, 100);
    }

    @Test
    void shouldNeverPickAWeightZeroNode() {
        Node zero = new Node("127.0.0.1", 3001, 0);
        RoundRobinBalancer balancer = new RoundRobinBalancer(List.of(zero, B));
        for (int i = 0; i < 50; i++) {
            assertThat(balancer.pick(Set.of())).contains(B);
        }
        assertThat(balancer.pick(Set.of(B))).isEmpty();
        assertThat(new RoundRobinBalancer(List.of(zero)).pick(Set.of())).isEmpty();
    }

    @Test
    void shouldSkipNodesAlreadyTriedForThisRequest() {
        RoundRobinBalancer balancer = new RoundRobinBalancer(List.of(A, B, C));
        Set<Node> tried = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            tried.add(balancer.pick(tried).orElseThrow());
        }
        assertThat(tried).containsExactlyInAnyOrder(A, B, C);
        assertThat(balancer.pick(tried)).isEmpty();
    }

    @Test
    void shouldUseLowerPriorityOnlyWhenEveryHigherPriorityNodeWasTried() {
        Node primary1 = new Node("127.0.0.1", 4001, 1, 10);
        Node primary2 = new Node("127.0.0.1", 4002, 1, 10);
        Node backup = new Node("127.0.0.1", 4003, 100, 0);
        RoundRobinBalancer balancer = new RoundRobinBalancer(List.of(backup, primary1, primary2));
        for (int i = 0; i < 20; i++) {
            assertThat(balancer.pick(Set.of()).orElseThrow()).isNotEqualTo(backup);
        }
        assertThat(balancer.pick(Set.of(primary1))).contains(primary2);
        assertThat(balancer.pick(Set.of(primary1, primary2))).contains(backup);
    }
}
