package org.a6suite.optimizer.config;

import io.etcd.jetcd.Client;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.etcd.Etcd;
import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.leader.Leadership;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Actuator health: etcd answers, every watch is in sync; details say who leads. */
@Component("etcd")
public class EtcdHealthIndicator implements HealthIndicator {

    private final Client client;
    private final EtcdMirror mirror;
    private final Leadership leadership;
    private final OptimizerProperties properties;

    public EtcdHealthIndicator(Client client, EtcdMirror mirror, Leadership leadership,
            OptimizerProperties properties) {
        this.client = client;
        this.mirror = mirror;
        this.leadership = leadership;
        this.properties = properties;
    }

    @Override
    public Health health() {
        Health.Builder builder;
        try {
            long revision = client.getKVClient().get(Etcd.bytes(Etcd.dir(properties.statePrefix()) + "ping"))
                    .get(2, TimeUnit.SECONDS).getHeader().getRevision();
            builder = mirror.synced() ? Health.up() : Health.down().withDetail("watch", "re-syncing");
            builder.withDetail("revision", revision);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            builder = Health.down().withDetail("error", e.getClass().getSimpleName());
        }
        return builder.withDetail("endpoints", properties.etcd().endpoints())
                .withDetail("synced", mirror.synced())
                .withDetail("resyncs", mirror.resyncs())
                .withDetail("leader", leadership.isLeader())
                .build();
    }
}
