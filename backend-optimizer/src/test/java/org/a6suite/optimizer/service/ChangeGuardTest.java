package org.a6suite.optimizer.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.writer.Decision;
import org.a6suite.optimizer.writer.PlannedChange;
import org.a6suite.optimizer.writer.Setting;
import org.junit.jupiter.api.Test;

/**
 * Which decision a rollback undoes and what it restores. The guard's own rollback, against a real etcd, is
 * {@link OptimizerServiceTest}'s.
 */
class ChangeGuardTest {

    private static final Timeouts SHORT = new Timeouts(2, 5, 5);
    private static final Recommendation.Inputs MEASURED = new Recommendation.Inputs(500, 0.01, Map.of());

    private static Decision decision(String id, String kind, Setting before, Setting after) {
        return new Decision(id, "upstreams/1", kind, "auto", 1_000, 1, 2, before, after, List.of(), MEASURED, null);
    }

    @Test
    void shouldFindTheNewestApplyAsTheOneToRollBack() {
        Setting a = new Setting(null, Map.of("n1", 10));
        Setting b = new Setting(null, Map.of("n1", 5));
        List<Decision> newestFirst = List.of(decision("d2", "apply", b, a), decision("d1", "apply", a, b));

        assertThat(ChangeGuard.lastActive(newestFirst)).map(Decision::id).contains("d2");
    }

    @Test
    void shouldFindNothingToRollBackWhenTheNewestDecisionIsARollbackOrThereIsNone() {
        Setting a = new Setting(null, Map.of("n1", 10));
        Setting b = new Setting(null, Map.of("n1", 5));

        assertThat(ChangeGuard.lastActive(List.of(decision("d2", "rollback", b, a), decision("d1", "apply", a, b))))
                .isEmpty();
        assertThat(ChangeGuard.lastActive(List.of())).isEmpty();
    }

    @Test
    void shouldRestoreTheWeightsAndNginxDefaultTimeoutsWhenTheDecisionAddedATimeout() {
        Decision d = decision("d1", "apply", new Setting(null, Map.of("n1", 10)), new Setting(SHORT, Map.of("n1", 5)));

        PlannedChange change = ChangeGuard.rollbackOf(d, null, "api", "requested by an operator");

        assertThat(change.timeout()).contains(Timeouts.NGINX_DEFAULTS);
        assertThat(change.weights()).isEqualTo(Map.of("n1", 10));
        assertThat(change.reasons()).containsExactly("rollback of d1: requested by an operator");
        assertThat(change.inputs()).isEqualTo(Recommendation.Inputs.NONE);
        assertThat(change.kind()).isEqualTo("rollback");
        assertThat(change.actor()).isEqualTo("api");
        assertThat(change.rollbackOf()).isEqualTo("d1");
    }

    @Test
    void shouldLeaveTheTimeoutAloneWhenTheDecisionChangedOnlyWeights() {
        Decision d = decision("d1", "apply", new Setting(SHORT, Map.of("n1", 10)), new Setting(SHORT, Map.of("n1", 5)));

        assertThat(ChangeGuard.rollbackOf(d, null, "guard", "worse").timeout()).isEqualTo(Optional.empty());
    }
}
