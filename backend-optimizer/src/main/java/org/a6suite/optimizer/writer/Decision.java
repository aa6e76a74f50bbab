package org.a6suite.optimizer.writer;

import java.util.List;
import org.a6suite.optimizer.policy.Recommendation;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * One applied change, as recorded in the history ({@code <state>/history/<kind>/<id>/<at>-<id>}). Its JSON, in etcd
 * and in the API alike, is snake_case ({@code at_ms}, {@code mod_revision_before}, {@code rollback_of}): the naming is
 * on the record because the writer stores it with its own mapper.
 *
 * @param id                decision id
 * @param upstream          upstream key, e.g. {@code upstreams/1}
 * @param kind              {@code apply} or {@code rollback}
 * @param actor             {@code auto} (leader loop), {@code api} (operator), {@code guard} (automatic rollback)
 * @param atMs              when it was written (epoch ms)
 * @param modRevisionBefore the key's mod revision the change was computed from
 * @param modRevisionAfter  the revision of the write
 * @param before            timeout and weights before
 * @param after             timeout and weights after
 * @param reasons           why
 * @param inputs            the numbers behind it
 * @param rollbackOf        for a rollback, the decision it undid; otherwise null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Decision(
        String id,
        String upstream,
        String kind,
        String actor,
        long atMs,
        long modRevisionBefore,
        long modRevisionAfter,
        Setting before,
        Setting after,
        List<String> reasons,
        Recommendation.Inputs inputs,
        String rollbackOf) {

    public Decision {
        reasons = List.copyOf(reasons);
    }

    public boolean timeoutChanged() {
        return before.timeout() == null
                ? after.timeout() != null
                : !before.timeout().equals(after.timeout());
    }

    public boolean weightsChanged() {
        return !before.weights().equals(after.weights());
    }

    Decision withRevision(long revision) {
        return new Decision(
                id,
                upstream,
                kind,
                actor,
                atMs,
                modRevisionBefore,
                revision,
                before,
                after,
                reasons,
                inputs,
                rollbackOf);
    }
}
