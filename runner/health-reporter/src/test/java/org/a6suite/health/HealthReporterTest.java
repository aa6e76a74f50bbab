package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.OutcomeRecorder.Outcome;
import org.a6suite.plugin.OutcomeRecorder.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The reporter's interval logic with a fixed clock, a fake etcd and fake APISIX endpoints: no timers involved. */
class HealthReporterTest {

    private static final URI PROMETHEUS = URI.create("http://127.0.0.1:9091/apisix/prometheus/metrics");
    private static final URI CONTROL = URI.create("http://127.0.0.1:9090/v1/healthcheck");

    private final ScheduledExecutorService unused = Executors.newSingleThreadScheduledExecutor();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-21T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final List<String> written = new ArrayList<>();
    private final AtomicBoolean etcdDown = new AtomicBoolean();
    private final AtomicReference<String> prometheusText = new AtomicReference<>("");
    private final AtomicReference<String> controlJson = new AtomicReference<>("[]");

    private final EtcdPublisher publisher = new EtcdPublisher() {
        @Override
        public CompletionStage<Void> publish(String key, String value, Duration ttl) {
            if (etcdDown.get()) {
                return CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
            }
            assertThat(key).isEqualTo("/a6/health/apisix-1");
            assertThat(ttl).isEqualTo(Duration.ofSeconds(15));
            written.add(value);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> delete(String key) {
            throw new AssertionError("a document that fits is never sharded, so nothing is deleted: " + key);
        }

        @Override
        public void close() {}
    };

    private final HttpSource http = (uri, timeout) ->
            CompletableFuture.completedFuture(uri.equals(PROMETHEUS) ? prometheusText.get() : controlJson.get());

    @AfterEach
    void stop() {
        unused.shutdownNow();
    }

    private HealthReporter reporter(boolean withApisix) {
        HealthReporterConfig config = new HealthReporterConfig(
                List.of(URI.create("http://127.0.0.1:2379")),
                "/a6/health",
                Duration.ofSeconds(5),
                "apisix-1",
                withApisix ? Optional.of(PROMETHEUS) : Optional.empty(),
                withApisix ? Optional.of(CONTROL) : Optional.empty(),
                Map.of("routes/1", "upstreams/1"));
        return new HealthReporter(config, clock, unused, publisher, http);
    }

    private static Outcome outcome(String node, int status, long ms) {
        return new Outcome(
                "ai/openai-main",
                node,
                Optional.of(status),
                Duration.ofMillis(ms),
                OutcomeRecorder.Outcome.classify(status));
    }

    private JsonNode tick(HealthReporter r) {
        r.tick().toCompletableFuture().join();
        return JsonMapper.builder().build().readTree(r.lastDocument().orElseThrow());
    }

    @Test
    void shouldPublishPerIntervalDeltasOfTheRunnersOutcomes() {
        HealthReporter r = reporter(false);
        OutcomeRecorder rec = r.outcomeRecorder();
        for (int i = 1; i <= 100; i++) {
            rec.record(outcome("api.openai.example:443", 200, i));
        }
        rec.record(outcome("api.openai.example:443", 503, 100));
        rec.record(outcome("api.openai.example:443", 429, 5));
        rec.record(new Outcome(
                "ai/openai-main", "api.openai.example:443", Optional.empty(), Duration.ofSeconds(30), Result.TIMEOUT));
        rec.record(new Outcome(
                "ai/openai-main",
                "api.openai.example:443",
                Optional.empty(),
                Duration.ofMillis(3),
                Result.CONNECT_ERROR));

        JsonNode doc = tick(r);
        assertThat(doc.path("version").asInt()).isEqualTo(1);
        assertThat(doc.path("node_id").asString()).isEqualTo("apisix-1");
        assertThat(doc.path("generated_at_ms").asLong()).isEqualTo(now.get().toEpochMilli());
        assertThat(doc.path("interval_ms").asLong()).isEqualTo(5000);
        JsonNode node =
                doc.path("upstreams").path("ai/openai-main").path("nodes").path("api.openai.example:443");
        assertThat(node.path("requests").asLong()).isEqualTo(104);
        assertThat(node.path("errors").path("http_5xx").asLong()).isEqualTo(1);
        assertThat(node.path("errors").path("http_4xx").asLong()).isEqualTo(1);
        assertThat(node.path("errors").path("timeout").asLong()).isEqualTo(1);
        assertThat(node.path("errors").path("connect").asLong()).isEqualTo(1);
        assertThat(node.path("latency_ms").path("p50").asDouble()).isBetween(49.0, 52.0);
        assertThat(node.path("latency_ms").path("p999").asDouble()).isGreaterThan(29_000.0);
        assertThat(node.path("sources").get(0).asString()).isEqualTo("runner");
        assertThat(written).hasSize(1);

        // the next interval carries only what happened since
        now.set(now.get().plusSeconds(5));
        rec.record(outcome("api.openai.example:443", 200, 7));
        JsonNode next = tick(r);
        assertThat(next.path("upstreams")
                        .path("ai/openai-main")
                        .path("nodes")
                        .path("api.openai.example:443")
                        .path("requests")
                        .asLong())
                .isEqualTo(1);
        assertThat(tick(r).path("upstreams").size()).isZero();
    }

    @Test
    void shouldMergeApisixMetricsControlApiHealthAndRunnerOutcomes() {
        HealthReporter r = reporter(true);
        controlJson.set("[{\"name\":\"/apisix/routes/1\",\"nodes\":[{\"ip\":\"127.0.0.1\",\"port\":8081,"
                + "\"status\":\"unhealthy\"}]}]");
        prometheusText.set(status(10, 0));
        tick(r); // baseline scrape
        prometheusText.set(status(50, 8));
        r.outcomeRecorder()
                .record(new Outcome(
                        "routes/1", "127.0.0.1:8081", Optional.empty(), Duration.ofSeconds(10), Result.TIMEOUT));

        JsonNode node =
                tick(r).path("upstreams").path("upstreams/1").path("nodes").path("127.0.0.1:8081");
        assertThat(node.path("requests").asLong()).isEqualTo(48); // prometheus wins: 40 + 8, runner not added
        assertThat(node.path("errors").path("http_5xx").asLong()).isEqualTo(8);
        assertThat(node.path("errors").path("timeout").asLong()).isEqualTo(1);
        assertThat(node.path("health").asString()).isEqualTo("unhealthy");
        assertThat(node.path("sources").toString()).isEqualTo("[\"prometheus\",\"control_api\",\"runner\"]");
    }

    /**
     * The real run on APISIX 3.18: the exporter re-renders its text every 15 s ({@code refresh_interval}), the
     * reporter scrapes every 5 s, and a node answers 60 % of ~100 requests per 5 s with 500. Two of three scrapes see
     * the previous counters: they must not become documents with zero requests.
     */
    @Test
    void shouldPublishOnlyWhatTheExporterRefreshedAndSayWhatEachDocumentCovers() {
        HealthReporter r = reporter(true);
        long start = now.get().toEpochMilli();
        int ok = 0;
        int failed = 0;
        List<JsonNode> documents = new ArrayList<>();
        for (int second = 0; second <= 60; second += 5) {
            now.set(Instant.ofEpochMilli(start + second * 1000L));
            if (second > 0) {
                ok += 40;
                failed += 60;
            }
            if (second % 15 == 0) {
                prometheusText.set(status(ok, failed)); // the exporter's refresh
            }
            documents.add(tick(r));
        }
        // every scrape wrote a document (the lease stays alive), but only refreshed text made a new one
        assertThat(written).hasSize(13);
        assertThat(documents)
                .extracting(d -> d.path("generated_at_ms").asLong() - start)
                .containsExactly(
                        0L, 0L, 0L, 15_000L, 15_000L, 15_000L, 30_000L, 30_000L, 30_000L, 45_000L, 45_000L, 45_000L,
                        60_000L);
        assertThat(written.get(1)).isEqualTo(written.get(0));
        assertThat(written.get(4)).isEqualTo(written.get(3));
        for (JsonNode doc : List.of(documents.get(3), documents.get(6), documents.get(9), documents.get(12))) {
            assertThat(doc.path("interval_ms").asLong()).isEqualTo(15_000);
            assertThat(doc.path("requests").asLong()).isEqualTo(300);
            JsonNode node =
                    doc.path("upstreams").path("upstreams/1").path("nodes").path("127.0.0.1");
            assertThat(node.path("requests").asLong()).isEqualTo(300);
            assertThat(node.path("errors").path("http_5xx").asLong()).isEqualTo(180);
        }
    }

    @Test
    void shouldPublishAQuietPeriodOnlyOnceTheExporterMustHaveRefreshed() {
        HealthReporter r = reporter(true);
        long start = now.get().toEpochMilli();
        prometheusText.set(status(100, 0));
        tick(r); // baseline at 0 s
        for (int second = 5; second <= 15; second += 5) {
            now.set(Instant.ofEpochMilli(start + second * 1000L));
            tick(r);
        }
        // 15 s (refresh_interval) after the last change the text may simply not be refreshed yet: nothing new
        assertThat(r.lastDocument()
                        .map(d -> JsonMapper.builder()
                                .build()
                                .readTree(d)
                                .path("generated_at_ms")
                                .asLong()))
                .contains(start);

        now.set(Instant.ofEpochMilli(start + 20_000));
        JsonNode quiet = tick(r); // refresh_interval + one scrape interval: the exporter refreshed, no requests
        assertThat(quiet.path("generated_at_ms").asLong()).isEqualTo(start + 20_000);
        assertThat(quiet.path("interval_ms").asLong()).isEqualTo(20_000);
        assertThat(quiet.path("requests").asLong()).isZero();
        assertThat(quiet.path("upstreams").size()).isZero();

        now.set(Instant.ofEpochMilli(start + 30_000));
        prometheusText.set(status(160, 4));
        JsonNode next = tick(r);
        assertThat(next.path("interval_ms").asLong()).isEqualTo(10_000);
        assertThat(next.path("upstreams")
                        .path("upstreams/1")
                        .path("nodes")
                        .path("127.0.0.1")
                        .path("requests")
                        .asLong())
                .isEqualTo(64);
    }

    @Test
    void shouldBackOffWhileEtcdFailsAndResume() {
        HealthReporter r = reporter(false);
        etcdDown.set(true);
        tick(r);
        now.set(now.get().plusSeconds(5));
        tick(r); // backing off: 5 s after the first failure is due again
        now.set(now.get().plusSeconds(1));
        tick(r); // within the 10 s backoff after the second failure: skipped
        etcdDown.set(false);
        assertThat(written).isEmpty();
        now.set(now.get().plusSeconds(10));
        tick(r);
        assertThat(written).hasSize(1);
        assertThat(r.publishedCount()).isEqualTo(1);
    }

    @Test
    void shouldLeaveOutASourceThatCannotBeRead() {
        HealthReporter r = new HealthReporter(
                reporter(true).config(),
                clock,
                unused,
                publisher,
                (uri, timeout) -> CompletableFuture.failedFuture(new java.net.ConnectException("refused")));
        r.outcomeRecorder()
                .record(new Outcome(
                        "routes/1", "127.0.0.1:8081", Optional.of(200), Duration.ofMillis(4), Result.SUCCESS));
        JsonNode doc = tick(r);
        // the configured mapping applies to the runner's keys too
        assertThat(doc.path("upstreams")
                        .path("upstreams/1")
                        .path("nodes")
                        .path("127.0.0.1:8081")
                        .path("requests")
                        .asLong())
                .isEqualTo(1);
        assertThat(written).hasSize(1);
    }

    private static String status(int ok, int errors) {
        return "apisix_http_status{code=\"200\",route=\"1\",matched_uri=\"/\",matched_host=\"\",service=\"\","
                + "consumer=\"\",node=\"127.0.0.1\"} " + ok + "\n"
                + "apisix_http_status{code=\"502\",route=\"1\",matched_uri=\"/\",matched_host=\"\",service=\"\","
                + "consumer=\"\",node=\"127.0.0.1\"} " + errors + "\n";
    }
}
