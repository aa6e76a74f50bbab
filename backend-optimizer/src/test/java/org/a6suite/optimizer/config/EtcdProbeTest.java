package org.a6suite.optimizer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EtcdProbeTest {

    static EtcdServer etcd;
    static Client client;
    static ScheduledExecutorService scheduler;

    @BeforeAll
    static void start() {
        etcd = EtcdServer.start();
        client = etcd.newClient();
        scheduler = Executors.newScheduledThreadPool(1);
    }

    @AfterAll
    static void stop() {
        scheduler.shutdownNow();
        client.close();
        etcd.close();
    }

    @Test
    void shouldReportEtcdUnreachableAtOnceWhileItIsDownAndReachableAgainAfterRestart() {
        try (EtcdProbe probe = new EtcdProbe(
                        client.getKVClient(),
                        ByteSequence.from("/a6/optimizer/ping", StandardCharsets.UTF_8),
                        Clock.systemUTC(),
                        scheduler,
                        Duration.ofMillis(200),
                        Duration.ofMillis(300),
                        Duration.ofMillis(700))
                .start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> probe.snapshot().reachable());
            assertThat(probe.snapshot().revision()).isPresent();

            etcd.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> !probe.snapshot().reachable());
            EtcdProbe.Snapshot down = probe.snapshot();
            assertThat(down.lastError()).isPresent();
            assertThat(down.lastSuccess())
                    .as("the last answer is still reported")
                    .isPresent();
            // Reading the state never waits for etcd: many reads while it is down cost no round trip.
            long started = System.nanoTime();
            for (int i = 0; i < 1_000; i++) {
                assertThat(probe.snapshot().reachable()).isFalse();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

            etcd.restart();
            await().atMost(Duration.ofSeconds(20)).until(() -> probe.snapshot().reachable());
        }
    }
}
