package org.a6suite.optimizer.service;

import static org.a6suite.optimizer.etcd.Etcd.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.leader.Leadership;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.PolicyCodec;
import org.a6suite.optimizer.testing.MutableClock;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The loop driven tick by tick with a moved clock, against a real etcd. */
class OptimizerServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UpstreamRef REF = UpstreamRef.parse("upstreams/1");

    private EtcdServer etcd;
    private Client client;
    private ScheduledExecutorService scheduler;
    private EtcdMirror mirror;
    private OptimizerService service;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        etcd = EtcdServer.start();
        client = etcd.newClient();
        client.getKVClient().put(bytes("/apisix/upstreams/1"), bytes("""
                {"nodes":{"10.0.0.1:80":10,"10.0.0.2:80":10,"10.0.0.3:80":10,"10.0.0.4:80":10},"type":"roundrobin"}
                """)).get(5, TimeUnit.SECONDS);
        scheduler = Executors.newScheduledThreadPool(2);
        mirror = new EtcdMirror(client, "/apisix", "/a6/health", "/a6/optimizer", clock, meters, scheduler);
        mirror.start();
        assertThat(mirror.awaitSynced(Duration.ofSeconds(10))).isTrue();
        Policy auto = PolicyCodec.merge(
                Policy.DEFAULT,
                JSON.readTree("{\"mode\":\"auto\",\"min_samples\":50,\"weight_min_interval_seconds\":0}"),
                "");
        OptimizerState state = new OptimizerState(mirror, client, auto);
        UpstreamWriter writer = new UpstreamWriter(client, "/apisix", "/a6/optimizer", clock, 5, 50, meters);
        service = new OptimizerService(mirror, state, writer, Leadership.solo("test"), clock, 3, 100, meters);
    }

    @AfterEach
    void stop() {
        mirror.close();
        scheduler.shutdownNow();
        client.close();
        etcd.close();
    }

    private void publish(long errorsOnHealthyNodes) throws Exception {
        StringBuilder nodes = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            boolean slow = i == 4;
            if (i > 1) {
                nodes.append(',');
            }
            nodes.append("\"10.0.0.")
                    .append(i)
                    .append(":80\":{\"requests\":100,\"errors\":{\"http_5xx\":")
                    .append(slow ? 0 : errorsOnHealthyNodes)
                    .append("},\"latency_ms\":{\"p50\":")
                    .append(slow ? 300 : 10)
                    .append(",\"p90\":")
                    .append(slow ? 320 : 20)
                    .append(",\"p99\":")
                    .append(slow ? 400 : 40)
                    .append("}}");
        }
        String doc = "{\"version\":1,\"node_id\":\"apisix-1\",\"generated_at_ms\":" + clock.millis()
                + ",\"interval_ms\":5000,\"upstreams\":{\"upstreams/1\":{\"nodes\":{" + nodes + "}}}}";
        long rev = client.getKVClient()
                .put(bytes("/a6/health/apisix-1"), bytes(doc))
                .get(5, TimeUnit.SECONDS)
                .getHeader()
                .getRevision();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> mirror.snapshot().health().containsKey("apisix-1")
                        && mirror.snapshot().health().get("apisix-1").generatedAtMs() == clock.millis());
    }

    private void publishDocument(String upstreams) throws Exception {
        String doc = "{\"version\":1,\"node_id\":\"apisix-1\",\"generated_at_ms\":" + clock.millis()
                + ",\"interval_ms\":5000,\"upstreams\":{" + upstreams + "}}";
        client.getKVClient().put(bytes("/a6/health/apisix-1"), bytes(doc)).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> mirror.snapshot().health().containsKey("apisix-1")
                        && mirror.snapshot().health().get("apisix-1").generatedAtMs() == clock.millis());
    }

    private JsonNode stored(String key) throws Exception {
        return JSON.readTree(client.getKVClient()
                .get(bytes(key))
                .get(5, TimeUnit.SECONDS)
                .getKvs()
                .getFirst()
                .getValue()
                .toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The real run on APISIX 3.18: three nodes, one answering 60 % of its requests with 500; the exporter
     * refreshed every 15 s and the reporter of the time published every 5 s, so two of three documents had the nodes
     * (from the Control API) with no requests. A step taken on such a document recorded "0.0 %", the guard compared
     * the next real report with it ("0.0% -> 23.0%"), rolled back and held the upstream, and the failing node kept a
     * third of the traffic.
     */
    @Test
    void shouldEjectAFailingNodeAndNeverDecideOrRollBackOnDocumentsWithoutRequests() throws Exception {
        UpstreamRef two = UpstreamRef.parse("upstreams/2");
        client.getKVClient().put(bytes("/apisix/upstreams/2"), bytes("""
                {"nodes":{"172.18.0.5:8080":10,"172.18.0.6:8080":10,"172.18.0.7:8080":10},"type":"roundrobin"}
                """)).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> mirror.snapshot().upstream(two).isPresent());
        String withData = "\"upstreams/2\":{\"nodes\":{"
                + "\"172.18.0.5:8080\":{\"requests\":250,\"latency_ms\":{\"p50\":1.2,\"p90\":2,\"p99\":4.5}},"
                + "\"172.18.0.6:8080\":{\"requests\":250,\"latency_ms\":{\"p50\":4,\"p90\":9,\"p99\":19}},"
                + "\"172.18.0.7:8080\":{\"requests\":250,\"errors\":{\"http_5xx\":150},"
                + "\"latency_ms\":{\"p50\":1.2,\"p90\":2,\"p99\":4.5}}}}";
        String without = "\"upstreams/2\":{\"nodes\":{"
                + "\"172.18.0.5:8080\":{\"requests\":0,\"health\":\"healthy\"},"
                + "\"172.18.0.6:8080\":{\"requests\":0,\"health\":\"healthy\"},"
                + "\"172.18.0.7:8080\":{\"requests\":0,\"health\":\"healthy\"}}}";
        java.util.List<Integer> failingWeights = new java.util.ArrayList<>();
        for (int report = 0; report < 9; report++) {
            clock.advance(Duration.ofSeconds(5));
            publishDocument(report % 3 == 0 ? withData : without);
            int before = service.state().history(two).size();
            service.tick();
            if (report % 3 == 0) {
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> service.state().history(two).size() == before + 1);
            }
            failingWeights.add(stored("/apisix/upstreams/2")
                    .get("nodes")
                    .get("172.18.0.7:8080")
                    .asInt());
        }
        // down at each report with data, ejected at the third (ejectAfterIntervals 3); nothing on the others
        assertThat(failingWeights).containsExactly(7, 7, 7, 6, 6, 6, 0, 0, 0);
        assertThat(service.state().history(two)).hasSize(3).allSatisfy(d -> {
            assertThat(d.kind()).isEqualTo("apply");
            assertThat(d.inputs().requests()).isEqualTo(750);
            assertThat(d.inputs().errorRate()).isEqualTo(0.2);
        });
        assertThat(service.state().pause(two)).isEmpty();
        assertThat(meters.find("a6.optimizer.rollbacks").counter())
                .satisfiesAnyOf(
                        c -> assertThat(c).isNull(), c -> assertThat(c.count()).isZero());
        assertThat(service.recommendation(two).orElseThrow().status())
                .isEqualTo(org.a6suite.optimizer.policy.Recommendation.Status.IDLE);
    }

    /**
     * The seed's upstream 1 on the real run: four nodes that do not exist, a few test requests that all fail and an
     * active health check calling every node unhealthy. Every node scores down alike, so the steps only scaled all
     * weights (100 -> 75 -> 50 -> 25 -> 10): the same split, rewritten every 10 s. And an upstream nobody reports on.
     */
    @Test
    void shouldNotWriteWeightsThatKeepTheSplitNorTouchAnUpstreamWithoutData() throws Exception {
        client.getKVClient().put(bytes("/apisix/upstreams/3"), bytes("""
                {"nodes":{"10.9.0.1:80":100,"10.9.0.2:80":100,"10.9.0.3:80":100,"10.9.0.4:80":100},
                 "checks":{"active":{"http_path":"/"}}}
                """)).get(5, TimeUnit.SECONDS);
        UpstreamRef three = UpstreamRef.parse("upstreams/3");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> mirror.snapshot().upstream(three).isPresent());
        StringBuilder nodes = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            nodes.append(i > 1 ? "," : "")
                    .append("\"10.9.0.")
                    .append(i)
                    .append(":80\":{\"requests\":2,\"errors\":{\"connect\":2},\"health\":\"unhealthy\"}");
        }
        for (int report = 0; report < 6; report++) {
            clock.advance(Duration.ofSeconds(10));
            publishDocument("\"upstreams/3\":{\"nodes\":{" + nodes + "}}");
            service.tick();
            assertThat(service.recommendation(three).orElseThrow().weightsChanged())
                    .isFalse();
        }
        assertThat(service.recommendation(three).orElseThrow().reasons())
                .anyMatch(r -> r.contains("the same traffic split, so nothing is written"));
        assertThat(stored("/apisix/upstreams/3").get("nodes").get("10.9.0.1:80").asInt())
                .isEqualTo(100);
        assertThat(service.state().history(three)).isEmpty();
        // upstream 1 is in no document at all: no data, nothing written
        assertThat(service.recommendation(REF).orElseThrow().status())
                .isEqualTo(org.a6suite.optimizer.policy.Recommendation.Status.NO_DATA);
        assertThat(service.state().history(REF)).isEmpty();
        assertThat(client.getKVClient()
                        .get(bytes("/apisix/upstreams/3"))
                        .get(5, TimeUnit.SECONDS)
                        .getKvs()
                        .getFirst()
                        .getVersion())
                .isEqualTo(1);
    }

    private JsonNode stored() throws Exception {
        return JSON.readTree(client.getKVClient()
                .get(bytes("/apisix/upstreams/1"))
                .get(5, TimeUnit.SECONDS)
                .getKvs()
                .getFirst()
                .getValue()
                .toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void awaitHistory(int size) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> service.state().history(REF).size() == size);
    }

    @Test
    void shouldRollBackAndHoldWhenTheErrorRateWorsensWithinTheGuardWindow() throws Exception {
        publish(0);
        service.tick();
        awaitHistory(1);
        assertThat(stored().get("nodes").get("10.0.0.4:80").asInt()).isEqualTo(7);

        // the change is followed by a jump in errors: 0 % -> 15 % (> +5 %) within the 60 s guard window
        clock.advance(Duration.ofSeconds(5));
        publish(20);
        service.tick();
        awaitHistory(2);
        assertThat(stored().get("nodes").get("10.0.0.4:80").asInt()).isEqualTo(10);
        assertThat(service.state().history(REF).getFirst().kind()).isEqualTo("rollback");
        assertThat(service.state().history(REF).getFirst().actor()).isEqualTo("guard");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> service.state().pause(REF).isPresent());
        assertThat(service.state().pause(REF).orElseThrow().get("reason").asString())
                .startsWith("held after automatic rollback: error rate 0.0% -> 15.0%");
        assertThat(meters.get("a6.optimizer.rollbacks").counter().count()).isEqualTo(1);

        // held: later intervals change nothing until an operator resumes
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(5));
            publish(0);
            service.tick();
        }
        assertThat(service.state().history(REF)).hasSize(2);
        assertThat(stored().get("nodes").get("10.0.0.4:80").asInt()).isEqualTo(10);
    }

    @Test
    void shouldApplyEachChangeOnceAndRecordWhy() throws Exception {
        publish(0);
        service.tick();
        awaitHistory(1);
        // the same health data again: the engine has nothing new, no second change
        service.tick();
        service.tick();
        assertThat(service.state().history(REF)).hasSize(1);
        var decision = service.state().history(REF).getFirst();
        assertThat(decision.reasons()).anyMatch(r -> r.startsWith("10.0.0.4:80 weight 10 -> 7"));
        assertThat(decision.inputs().nodes().get("10.0.0.4:80").requests()).isEqualTo(100);
        assertThat(service.series(REF)).hasSize(3);
        assertThat(service.series(REF).getFirst().p99()).isNotNull();
    }
}
