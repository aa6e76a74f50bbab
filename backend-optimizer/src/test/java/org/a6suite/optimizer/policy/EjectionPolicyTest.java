package org.a6suite.optimizer.policy;

import static org.a6suite.optimizer.policy.PolicyFixtures.NODES;
import static org.a6suite.optimizer.policy.PolicyFixtures.NOW;
import static org.a6suite.optimizer.policy.PolicyFixtures.all;
import static org.a6suite.optimizer.policy.PolicyFixtures.config;
import static org.a6suite.optimizer.policy.PolicyFixtures.input;
import static org.a6suite.optimizer.policy.PolicyFixtures.node;
import static org.a6suite.optimizer.policy.PolicyFixtures.withFourth;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.junit.jupiter.api.Test;

class EjectionPolicyTest {

    private static final UpstreamConfig CONFIG = config(List.of(10, 10, 10, 10), new Timeouts(6, 6, 6));
    private static final NodeHealth FAST = node(200, 0, 20, 80);
    private static final NodeHealth FAILING = node(200, 150, 20, 80);

    private final EjectionPolicy policy = new EjectionPolicy();
    private final List<String> reasons = new ArrayList<>();

    private UpstreamState reports(Map<String, NodeHealth> health, int count, UpstreamState start) {
        UpstreamState state = start;
        for (int i = 1; i <= count; i++) {
            state = policy.advance(input(CONFIG, health, Policy.DEFAULT, i), state, NOW, reasons);
        }
        return state;
    }

    @Test
    void shouldEjectAFailingNodeAfterEjectAfterIntervalsConsecutiveReports() {
        int after = Policy.DEFAULT.ejectAfterIntervals();

        UpstreamState before = reports(withFourth(FAST, FAILING), after - 1, UpstreamState.INITIAL);
        UpstreamState at = reports(withFourth(FAST, FAILING), 1, before);

        assertThat(before.node(NODES.get(3)).ejected()).isFalse();
        assertThat(before.node(NODES.get(3)).failingStreak()).isEqualTo(after - 1);
        assertThat(at.node(NODES.get(3)).ejectedUntil())
                .contains(NOW.plus(Policy.seconds(Policy.DEFAULT.ejectBaseSeconds())));
        assertThat(reasons).anyMatch(r -> r.startsWith(NODES.get(3) + " ejected for"));
    }

    @Test
    void shouldNotEjectMoreThanTheMaxEjectFractionOfTheNodes() {
        Map<String, NodeHealth> threeFailing = all(FAILING);
        threeFailing.put(NODES.get(0), FAST);

        UpstreamState state = reports(threeFailing, Policy.DEFAULT.ejectAfterIntervals(), UpstreamState.INITIAL);

        long ejected = NODES.stream().filter(n -> state.node(n).ejected()).count();
        assertThat(ejected).isEqualTo((long) Math.floor(Policy.DEFAULT.maxEjectFraction() * NODES.size()));
        assertThat(reasons).anyMatch(r -> r.contains("but is not ejected: already 2 of 4 nodes ejected"));
    }

    @Test
    void shouldNotEjectWhenNoHealthyNodeWouldBeLeft() {
        UpstreamState state = reports(all(FAILING), Policy.DEFAULT.ejectAfterIntervals(), UpstreamState.INITIAL);

        assertThat(NODES).noneMatch(n -> state.node(n).ejected());
        assertThat(reasons).anyMatch(r -> r.endsWith("but is not ejected: it would leave no healthy node"));
    }

    @Test
    void shouldReturnAnEjectedNodeAtTheFloorScoreWhenItsTimeIsUp() {
        UpstreamState ejected =
                new UpstreamState(0, Map.of(NODES.get(3), new NodeState(0, 0, 0, Optional.of(NOW.minusSeconds(1)), 1)));

        UpstreamState next = reports(all(FAST), 1, ejected);

        assertThat(next.node(NODES.get(3)).ejected()).isFalse();
        assertThat(next.node(NODES.get(3)).score()).isLessThanOrEqualTo(Policy.DEFAULT.weightFloor());
        assertThat(reasons).contains(NODES.get(3) + " returns from ejection at the floor weight");
    }

    @Test
    void shouldKeepAStreakThroughAReportWithoutEnoughRequestsForTheNode() {
        UpstreamState once = reports(withFourth(FAST, FAILING), 1, UpstreamState.INITIAL);

        UpstreamState quiet = policy.advance(
                input(CONFIG, withFourth(FAST, node(1, 0, 20, 80)), Policy.DEFAULT, 9), once, NOW, reasons);

        assertThat(quiet.node(NODES.get(3)).failingStreak()).isEqualTo(1);
    }
}
