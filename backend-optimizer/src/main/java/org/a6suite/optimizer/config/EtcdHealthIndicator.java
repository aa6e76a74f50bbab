package org.a6suite.optimizer.config;

import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.leader.Leadership;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Actuator health: etcd answers and every watch is in sync; details say who leads. Answers from the background
 * {@link EtcdProbe} and the mirror's state, never waiting for etcd, so a probe with a short timeout gets DOWN at
 * once while etcd is unreachable. A follower is UP (it serves reads) and says {@code role: follower, api: read-only}.
 */
@Component("etcd")
public class EtcdHealthIndicator implements HealthIndicator {

    private final EtcdProbe probe;
    private final EtcdMirror mirror;
    private final Leadership leadership;
    private final OptimizerProperties properties;

    public EtcdHealthIndicator(
            EtcdProbe probe, EtcdMirror mirror, Leadership leadership, OptimizerProperties properties) {
        this.probe = probe;
        this.mirror = mirror;
        this.leadership = leadership;
        this.properties = properties;
    }

    @Override
    public Health health() {
        EtcdProbe.Snapshot seen = probe.snapshot();
        boolean leader = leadership.isLeader();
        Health.Builder builder;
        if (!seen.reachable()) {
            builder = Health.down().withDetail("error", seen.lastError().orElse("no answer recently"));
        } else {
            builder = mirror.synced() ? Health.up() : Health.down().withDetail("watch", "re-syncing");
        }
        seen.revision().ifPresent(r -> builder.withDetail("revision", r));
        seen.lastSuccess().ifPresent(t -> builder.withDetail("last_answer", t.toString()));
        return builder.withDetail("endpoints", properties.etcd().endpoints())
                .withDetail("synced", mirror.synced())
                .withDetail("resyncs", mirror.resyncs())
                .withDetail("leader", leader)
                // A follower serves reads only (FollowerReadOnlyFilter): say so where probes and operators look.
                .withDetail("role", leader ? "leader" : "follower")
                .withDetail("api", leader ? "read-write" : "read-only")
                .build();
    }
}
