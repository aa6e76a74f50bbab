package org.a6suite.optimizer.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.etcd.Etcd;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.writer.Fence;
import org.a6suite.optimizer.writer.PlannedChange;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.a6suite.optimizer.writer.WriteResult;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two optimizer replicas electing a leader on a real etcd. */
class LeaderElectorTest {

    private static final Duration TTL = Duration.ofSeconds(2);

    private EtcdServer etcd;
    private ScheduledExecutorService scheduler;

    @BeforeEach
    void start() {
        etcd = EtcdServer.start();
        scheduler = Executors.newScheduledThreadPool(2);
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        etcd.close();
    }

    @Test
    void shouldFailOverWithinOneLeaseTtlAndFenceTheOldLeader() throws Exception {
        Client clientA = etcd.newClient();
        Client clientB = etcd.newClient();
        LeaderElector a = new LeaderElector(clientA, "/a6/optimizer/leader", "replica-a", TTL, scheduler);
        a.start();
        await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
        LeaderElector b = new LeaderElector(clientB, "/a6/optimizer/leader", "replica-b", TTL, scheduler);
        b.start();
        try (b) {
            assertThat(b.currentLeader()).contains("replica-a");
            Fence oldFence = a.fence().orElseThrow();
            // only one leader at a time
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> !b.isLeader());

            // replica A dies: its client goes away without resigning, its lease is left to expire
            long died = System.nanoTime();
            clientA.close();
            await().atMost(TTL.plusSeconds(2))
                    .pollInterval(Duration.ofMillis(50))
                    .until(b::isLeader);
            Duration takeover = Duration.ofNanos(System.nanoTime() - died);
            // the lease was last refreshed at most TTL/3 before death: takeover within one TTL (+ scheduling slack)
            assertThat(takeover).isLessThan(TTL.plusMillis(1500));
            assertThat(b.currentLeader()).contains("replica-b");

            // a write carrying the dead leader's fence is refused; the new leader's goes through
            try (Client writerClient = etcd.newClient()) {
                writerClient
                        .getKVClient()
                        .put(Etcd.bytes("/apisix/upstreams/1"), Etcd.bytes("{\"nodes\":{\"10.0.0.1:80\":4}}"))
                        .get(5, TimeUnit.SECONDS);
                UpstreamWriter writer = new UpstreamWriter(
                        writerClient, "/apisix", "/a6/optimizer", Clock.systemUTC(), 3, 10, new SimpleMeterRegistry());
                PlannedChange change = new PlannedChange(
                        Optional.empty(),
                        Map.of("10.0.0.1:80", 2),
                        List.of("t"),
                        Recommendation.Inputs.NONE,
                        "apply",
                        "auto",
                        null);
                assertThat(writer.apply(
                                        UpstreamRef.parse("upstreams/1"),
                                        c -> Optional.of(change),
                                        Optional.of(oldFence))
                                .outcome())
                        .isEqualTo(WriteResult.Outcome.NOT_LEADER);
                assertThat(writer.apply(UpstreamRef.parse("upstreams/1"), c -> Optional.of(change), b.fence())
                                .outcome())
                        .isEqualTo(WriteResult.Outcome.APPLIED);
            }
        } finally {
            a.close();
            clientB.close();
        }
    }

    @Test
    void shouldHandOverAtOnceWhenTheLeaderResigns() {
        try (Client ca = etcd.newClient();
                Client cb = etcd.newClient()) {
            LeaderElector a = new LeaderElector(ca, "/a6/optimizer/leader", "a", Duration.ofSeconds(30), scheduler);
            LeaderElector b = new LeaderElector(cb, "/a6/optimizer/leader", "b", Duration.ofSeconds(30), scheduler);
            a.start();
            await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
            b.start();
            a.close();
            await().atMost(Duration.ofSeconds(5)).until(b::isLeader);
            b.close();
        }
    }
}
