package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.health.internal.JetcdPublisher;
import org.a6suite.plugin.OutcomeRecorder.Outcome;
import org.a6suite.plugin.OutcomeRecorder.Result;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Against a real etcd (Debian's etcd-server via the fixture): appear, survive an etcd restart, expire. */
class HealthReporterEtcdTest {

    private static final String KEY = "/a6/health/apisix-test";
    private static EtcdServer etcd;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.start();
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @Test
    void shouldPublishUnderALeaseResumeAfterEtcdRestartAndExpireAfterStop() throws Exception {
        HealthReporterConfig config = new HealthReporterConfig(
                List.of(URI.create(etcd.endpoint())),
                "/a6/health",
                Duration.ofMillis(500),
                "apisix-test",
                Optional.empty(),
                Optional.empty(),
                Map.of());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        JetcdPublisher publisher = new JetcdPublisher(config.etcdEndpoints(), Duration.ofSeconds(1));
        HealthReporter reporter = new HealthReporter(
                        config,
                        Clock.systemUTC(),
                        scheduler,
                        publisher,
                        (uri, timeout) -> CompletableFuture.failedFuture(new IllegalStateException("unused")))
                .start();
        ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
        traffic.scheduleAtFixedRate(
                () -> reporter.outcomeRecorder()
                        .record(new Outcome(
                                "upstreams/1",
                                "127.0.0.1:8081",
                                Optional.of(200),
                                Duration.ofMillis(12),
                                Result.SUCCESS)),
                0,
                20,
                TimeUnit.MILLISECONDS);
        try (Client client = etcd.newClient()) {
            JsonNode first = await().atMost(Duration.ofSeconds(15))
                    .until(() -> read(client), Optional::isPresent)
                    .get();
            assertThat(first.path("version").asInt()).isEqualTo(1);
            assertThat(first.path("node_id").asString()).isEqualTo("apisix-test");
            // the time the document covers, measured: one 500 ms interval plus scheduling jitter
            assertThat(first.path("interval_ms").asLong()).isBetween(500L, 1500L);
            assertThat(first.path("requests").asLong()).isPositive();
            JsonNode node =
                    first.path("upstreams").path("upstreams/1").path("nodes").path("127.0.0.1:8081");
            assertThat(node.path("requests").asLong()).isPositive();
            assertThat(node.path("errors").path("http_5xx").asLong()).isZero();
            assertThat(node.path("latency_ms").path("p50").asDouble()).isBetween(11.0, 13.0);
            assertThat(node.path("sources").get(0).asString()).isEqualTo("runner");
            KeyValue kv = client.getKVClient()
                    .get(bytes(KEY))
                    .get(5, TimeUnit.SECONDS)
                    .getKvs()
                    .get(0);
            assertThat(kv.getLease()).isNotZero();

            etcd.stop();
            long stoppedAt = System.currentTimeMillis();
            await().pollDelay(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> true);
            etcd.restart();
            JsonNode resumed = await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> read(client),
                            d -> d.isPresent()
                                    && d.get().path("generated_at_ms").asLong() > stoppedAt)
                    .get();
            assertThat(resumed.path("version").asInt()).isEqualTo(1);

            reporter.close();
            long closedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> read(client).isEmpty());
            // gone by the lease (2 s TTL), not before the last write could have expired
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThan(Duration.ofMillis(500));
        } finally {
            traffic.shutdownNow();
            reporter.close();
            scheduler.shutdownNow();
            publisher.close();
        }
    }

    @Test
    void shouldReportARoutesTrafficUnderTheUpstreamItReferencesInApisixEtcdData() throws Exception {
        String key = "/a6/health/apisix-resolve";
        try (Client client = etcd.newClient()) {
            client.getKVClient()
                    .put(bytes("/apisix/routes/31"), bytes("{\"uri\":\"/x\",\"upstream_id\":\"5\"}"))
                    .get(5, TimeUnit.SECONDS);
            HealthReporterConfig config = new HealthReporterConfig(
                    List.of(URI.create(etcd.endpoint())),
                    "/a6/health",
                    Duration.ofMillis(200),
                    "apisix-resolve",
                    Optional.empty(),
                    Optional.empty(),
                    Map.of());
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
            JetcdPublisher publisher = new JetcdPublisher(config.etcdEndpoints(), Duration.ofSeconds(1));
            HealthReporter reporter = new HealthReporter(
                            config,
                            Clock.systemUTC(),
                            scheduler,
                            publisher,
                            (uri, timeout) -> CompletableFuture.failedFuture(new IllegalStateException("unused")))
                    .start();
            try {
                await().atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            reporter.outcomeRecorder()
                                    .record(new Outcome(
                                            "routes/31",
                                            "127.0.0.1:8081",
                                            Optional.of(200),
                                            Duration.ofMillis(5),
                                            Result.SUCCESS));
                            var kvs = client.getKVClient()
                                    .get(bytes(key))
                                    .get(2, TimeUnit.SECONDS)
                                    .getKvs();
                            return !kvs.isEmpty()
                                    && kvs.get(0)
                                            .getValue()
                                            .toString(StandardCharsets.UTF_8)
                                            .contains("\"upstreams/5\"");
                        });
            } finally {
                reporter.close();
                scheduler.shutdownNow();
                publisher.close();
            }
        }
    }

    private static Optional<JsonNode> read(Client client) {
        try {
            List<KeyValue> kvs = client.getKVClient()
                    .get(bytes(KEY))
                    .get(2, TimeUnit.SECONDS)
                    .getKvs();
            return kvs.isEmpty()
                    ? Optional.empty()
                    : Optional.of(JsonMapper.builder()
                            .build()
                            .readTree(kvs.get(0).getValue().toString(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void shouldDeleteAShardKeyItNoLongerWrites() throws Exception {
        try (JetcdPublisher publisher =
                        new JetcdPublisher(List.of(java.net.URI.create(etcd.endpoint())), Duration.ofSeconds(2));
                Client client = etcd.newClient()) {
            publisher
                    .publish(KEY + "/shard/0", "{}", Duration.ofSeconds(30))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(client.getKVClient()
                            .get(bytes(KEY + "/shard/0"))
                            .get(5, TimeUnit.SECONDS)
                            .getKvs())
                    .hasSize(1);

            publisher.delete(KEY + "/shard/0").toCompletableFuture().get(5, TimeUnit.SECONDS);
            publisher.delete(KEY + "/never-written").toCompletableFuture().get(5, TimeUnit.SECONDS);

            assertThat(client.getKVClient()
                            .get(bytes(KEY + "/shard/0"))
                            .get(5, TimeUnit.SECONDS)
                            .getKvs())
                    .isEmpty();
        }
    }
}
