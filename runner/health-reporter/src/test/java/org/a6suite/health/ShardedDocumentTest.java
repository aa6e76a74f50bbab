package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.a6suite.health.internal.DocumentShards;
import org.a6suite.plugin.OutcomeRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A document too large for one etcd value is written as shards, and keys no longer used are deleted. */
class ShardedDocumentTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final ScheduledExecutorService unused = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, String> etcd = new java.util.TreeMap<>();
    private final List<String> operations = new ArrayList<>();

    private final EtcdPublisher publisher = new EtcdPublisher() {
        @Override
        public CompletionStage<Void> publish(String key, String value, Duration ttl) {
            operations.add("put " + key);
            etcd.put(key, value);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> delete(String key) {
            operations.add("delete " + key);
            etcd.remove(key);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {}
    };

    @AfterEach
    void stop() {
        unused.shutdownNow();
    }

    private HealthReporter reporter() {
        HealthReporterConfig config = new HealthReporterConfig(
                List.of(URI.create("http://127.0.0.1:2379")),
                "/a6/health",
                Duration.ofSeconds(5),
                "apisix-1",
                Optional.empty(),
                Optional.empty(),
                Map.of());
        return new HealthReporter(
                        config,
                        Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC),
                        unused,
                        publisher,
                        (uri, timeout) -> CompletableFuture.completedFuture(""))
                .maxDocumentBytes(2000);
    }

    private static void traffic(HealthReporter r, int upstreams) {
        for (int u = 0; u < upstreams; u++) {
            r.outcomeRecorder()
                    .record(new OutcomeRecorder.Outcome(
                            "upstreams/" + u,
                            "10.0.0." + u + ":80",
                            Optional.of(200),
                            Duration.ofMillis(5),
                            OutcomeRecorder.Result.SUCCESS));
        }
    }

    private Set<String> upstreamsIn(String prefix) {
        Set<String> keys = new HashSet<>();
        etcd.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                JsonNode doc = JSON.readTree(v);
                assertThat(doc.path("version").asInt())
                        .as("every shard is a complete document")
                        .isEqualTo(1);
                assertThat(doc.path("node_id").asString()).isEqualTo("apisix-1");
                assertThat(v.length()).isLessThanOrEqualTo(2000);
                doc.path("upstreams").propertyNames().forEach(keys::add);
            }
        });
        return keys;
    }

    @Test
    void shouldWriteShardsWhenTooLargeAndDeleteWhatTheNextWriteNoLongerUses() {
        HealthReporter r = reporter();
        traffic(r, 2);
        r.tick().toCompletableFuture().join();
        assertThat(etcd).containsOnlyKeys("/a6/health/apisix-1");

        traffic(r, 40);
        r.tick().toCompletableFuture().join();
        assertThat(etcd)
                .doesNotContainKey("/a6/health/apisix-1")
                .containsKey("/a6/health/apisix-1/0")
                .containsKey("/a6/health/apisix-1/1");
        assertThat(upstreamsIn("/a6/health/apisix-1/")).hasSize(40);
        int shards = etcd.size();

        traffic(r, 20);
        r.tick().toCompletableFuture().join();
        assertThat(etcd.size()).as("fewer shards, stale ones deleted").isLessThan(shards);
        assertThat(upstreamsIn("/a6/health/apisix-1/")).hasSize(20);

        traffic(r, 1);
        r.tick().toCompletableFuture().join();
        assertThat(etcd).containsOnlyKeys("/a6/health/apisix-1");
        assertThat(operations).contains("delete /a6/health/apisix-1/0");
    }

    @Test
    void shouldKeepEveryUpstreamExactlyOnceAcrossShards() {
        StringBuilder doc = new StringBuilder(
                "{\"version\":1,\"node_id\":\"n\",\"generated_at_ms\":1," + "\"interval_ms\":5000,\"upstreams\":{");
        for (int i = 0; i < 100; i++) {
            doc.append(i == 0 ? "" : ",")
                    .append("\"upstreams/")
                    .append(i)
                    .append("\":{\"nodes\":{\"10.0.0.1:80\":{\"requests\":")
                    .append(i)
                    .append("}}}");
        }
        doc.append("}}");
        List<String> shards = DocumentShards.split(doc.toString(), 1000);
        List<String> seen = new ArrayList<>();
        for (String s : shards) {
            assertThat(s.length()).isLessThanOrEqualTo(1000);
            JSON.readTree(s).path("upstreams").propertyNames().forEach(seen::add);
        }
        assertThat(seen).hasSize(100).doesNotHaveDuplicates();
        assertThat(DocumentShards.split(doc.toString(), 1_000_000)).containsExactly(doc.toString());
    }
}
