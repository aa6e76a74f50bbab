package org.a6suite.optimizer.api;

import static org.a6suite.optimizer.etcd.Etcd.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.OptimizerApplication;
import org.a6suite.optimizer.testing.Harness;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import tools.jackson.databind.JsonNode;

/** The service end to end over HTTP, against a real etcd. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OptimizerApiTest {

    static final String UPSTREAM = """
            {"id":"1","type":"roundrobin","retries":1,"desc":"four nodes",
             "nodes":[{"host":"10.0.0.1","port":80,"weight":10},{"host":"10.0.0.2","port":80,"weight":10},
                      {"host":"10.0.0.3","port":80,"weight":10},{"host":"10.0.0.4","port":80,"weight":10}],
             "timeout":{"connect":6,"send":6,"read":6}}""";

    static EtcdServer etcd;
    static Client client;
    static Harness app;

    @BeforeAll
    static void start() throws Exception {
        etcd = EtcdServer.start();
        client = etcd.newClient();
        client.getKVClient().put(bytes("/apisix/upstreams/"), bytes("init_dir")).get(5, TimeUnit.SECONDS);
        client.getKVClient().put(bytes("/apisix/upstreams/1"), bytes(UPSTREAM)).get(5, TimeUnit.SECONDS);
        client.getKVClient().put(bytes("/apisix/routes/1"), bytes("{\"uri\":\"/a\",\"upstream_id\":\"1\","
                + "\"timeout\":{\"connect\":2,\"send\":2,\"read\":2}}")).get(5, TimeUnit.SECONDS);
        app = new Harness(etcd.endpoint());
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        client.close();
        etcd.close();
    }

    @BeforeEach
    void publish() throws Exception {
        publishDegraded();
    }

    static void publishDegraded() throws Exception {
        Map<String, double[]> nodes = new LinkedHashMap<>();
        nodes.put("10.0.0.1:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.2:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.3:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.4:80", new double[] {100, 5, 310, 400});
        Harness.publishHealth(client, "apisix-1", nodes);
    }

    @Test
    @Order(1)
    void shouldListUpstreamsWithHealthAndRecommendation() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode list = app.get("/api/v1/upstreams").json();
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("status").asString()).isEqualTo("change");
        });
        JsonNode one = app.get("/api/v1/upstreams/upstreams/1").json();
        assertThat(one.get("mode").asString()).isEqualTo("recommend");
        assertThat(one.get("health").get("10.0.0.4:80").get("requests").asLong()).isEqualTo(100);
        JsonNode rec = one.get("recommendation");
        assertThat(rec.get("weights").get("10.0.0.4:80").asInt()).isLessThan(10);
        assertThat(rec.get("timeout").get("read").asDouble()).isEqualTo(1.0);
        assertThat(rec.get("route_overrides").get(0).asString()).startsWith("routes/1 sets its own timeout");
        assertThat(app.get("/api/v1/upstreams/upstreams/404").status()).isEqualTo(404);
    }

    @Test
    @Order(2)
    void shouldRequireCredentialsForWritesAndAnswerWithProblemJson() throws Exception {
        Harness.Response none = app.post("/api/v1/upstreams/upstreams/1/apply", "", Map.of());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.json().get("field").asString()).isEqualTo("credentials");
        Harness.Response wrong = app.post("/api/v1/upstreams/upstreams/1/apply", "",
                Map.of("X-API-Key", "test-api-key-0123456788"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("0123456788");
        Harness.Response wrongBearer = app.post("/api/v1/upstreams/upstreams/1/pause", "",
                Map.of("Authorization", "Bearer nope"));
        assertThat(wrongBearer.status()).isEqualTo(401);
        assertThat(Harness.value(client, "/apisix/upstreams/1")).isEqualTo(UPSTREAM);
    }

    @Test
    @Order(3)
    void shouldRejectInvalidPoliciesNamingTheField() {
        Harness.Response bad = app.put("/api/v1/policies/upstreams/1", "{\"readFactor\": 0.5}", Harness.key());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.json().get("field").asString()).isEqualTo("readFactor");
        assertThat(bad.json().get("detail").asString()).isEqualTo("readFactor: 0.5 (expected: a number in [1, 100])");
        Harness.Response unknown = app.put("/api/v1/policies/default", "{\"colour\": \"red\"}", Harness.key());
        assertThat(unknown.json().get("field").asString()).isEqualTo("colour");
        Harness.Response mode = app.put("/api/v1/policies/default", "{\"mode\": \"sometimes\"}", Harness.key());
        assertThat(mode.json().get("detail").asString()).isEqualTo("mode: \"sometimes\" (expected: off, recommend or auto)");
        Harness.Response notJson = app.put("/api/v1/policies/default", "{", Harness.key());
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("field").asString()).isEqualTo("body");
        Harness.Response badKind = app.get("/api/v1/policies/plugins/1");
        assertThat(badKind.json().get("field").asString()).isEqualTo("kind");
    }

    @Test
    @Order(4)
    void shouldDryRunAPolicyWithoutChangingAnything() {
        Harness.Response r = app.post("/api/v1/upstreams/upstreams/1/dry-run", "{\"readFactor\": 50, "
                + "\"minReadTimeout\": 0.1}", Harness.key());
        assertThat(r.status()).isEqualTo(200);
        // healthy nodes' p99 response 40 ms x 50 = 2 s
        assertThat(r.json().get("recommendation").get("timeout").get("read").asDouble()).isEqualTo(2.0);
        assertThat(r.json().get("policy").get("readFactor").asDouble()).isEqualTo(50.0);
    }

    @Test
    @Order(5)
    void shouldApplyARecommendationAndRollItBack() throws Exception {
        Harness.Response applied = app.post("/api/v1/upstreams/upstreams/1/apply", "", Harness.key());
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(applied.json().get("outcome").asString()).isEqualTo("applied");
        JsonNode stored = Harness.JSON.readTree(Harness.value(client, "/apisix/upstreams/1"));
        assertThat(stored.get("nodes").get(3).get("weight").asInt()).isLessThan(10);
        assertThat(stored.get("timeout").get("read").asDouble()).isEqualTo(1.0);
        assertThat(stored.get("desc").asString()).isEqualTo("four nodes");
        assertThat(stored.get("retries").asInt()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(app.get("/api/v1/upstreams/upstreams/1/history").json()).hasSize(1));
        Harness.Response back = app.post("/api/v1/upstreams/upstreams/1/rollback", "", Harness.key());
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        JsonNode restored = Harness.JSON.readTree(Harness.value(client, "/apisix/upstreams/1"));
        assertThat(restored.get("nodes").get(3).get("weight").asInt()).isEqualTo(10);
        assertThat(restored.get("timeout").get("read").asDouble()).isEqualTo(6.0);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode history = app.get("/api/v1/history").json();
            assertThat(history).hasSize(2);
            assertThat(history.get(0).get("kind").asString()).isEqualTo("rollback");
        });
    }

    @Test
    @Order(6)
    void shouldRetuneOnItsOwnInAutoModeAndStopWhenPaused() throws Exception {
        Harness.Response auto = app.put("/api/v1/policies/upstreams/1", "{\"mode\":\"auto\"}", Harness.key());
        assertThat(auto.status()).isEqualTo(200);
        assertThat(auto.json().get("effective").get("mode").asString()).isEqualTo("auto");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            publishDegraded();
            JsonNode stored = Harness.JSON.readTree(Harness.value(client, "/apisix/upstreams/1"));
            assertThat(stored.get("nodes").get(3).get("weight").asInt()).isLessThanOrEqualTo(4);
            assertThat(stored.get("nodes").get(0).get("weight").asInt()).isEqualTo(10);
        });
        assertThat(app.post("/api/v1/upstreams/upstreams/1/pause", "{\"reason\":\"maintenance\"}", Harness.key())
                .status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                app.get("/api/v1/upstreams/upstreams/1").json().get("paused").asBoolean());
        String frozen = Harness.value(client, "/apisix/upstreams/1");
        for (int i = 0; i < 5; i++) {
            publishDegraded();
            Thread.sleep(250); // several loop intervals pass: nothing may change while paused
        }
        assertThat(Harness.value(client, "/apisix/upstreams/1")).isEqualTo(frozen);
        assertThat(app.post("/api/v1/upstreams/upstreams/1/resume", "", Harness.key()).status()).isEqualTo(200);
        app.put("/api/v1/policies/upstreams/1", "{\"mode\":\"recommend\"}", Harness.key());
    }

    @Test
    @Order(7)
    void shouldServeOpenApiHealthAndMetrics() throws Exception {
        Harness.Response docs = app.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("openapi").asString()).startsWith("3.1");
        assertThat(docs.json().get("paths").has("/api/v1/upstreams/{kind}/{id}/apply")).isTrue();
        JsonNode health = app.get("/actuator/health").json();
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("components").get("etcd").get("details").get("synced").asBoolean()).isTrue();
        String metrics = app.get("/actuator/prometheus").body();
        assertThat(metrics).contains("a6_optimizer_decisions_total", "a6_optimizer_watch_lag_seconds",
                "a6_optimizer_leader", "a6_optimizer_conflicts_total", "a6_optimizer_rollbacks_total",
                "a6_optimizer_node_weight{", "a6_optimizer_node_recommended_weight{", "a6_optimizer_node_score{");
        // Every optimizer metric the shipped Grafana dashboard queries is one this endpoint serves.
        java.util.Set<String> exposed = new java.util.TreeSet<>();
        for (String line : metrics.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                exposed.add(line.split("[{ ]", 2)[0]);
            }
        }
        java.util.Set<String> queried = dashboardOptimizerMetrics();
        assertThat(queried).contains("a6_optimizer_decisions_total", "a6_optimizer_node_weight");
        assertThat(exposed).containsAll(queried);
    }

    /** The a6_optimizer_* names in the PromQL of observability/grafana/dashboards/a6-suite.json (in this repo). */
    private static java.util.Set<String> dashboardOptimizerMetrics() throws java.io.IOException {
        java.nio.file.Path dashboard = java.nio.file.Path.of("").toAbsolutePath().getParent()
                .resolve("observability/grafana/dashboards/a6-suite.json");
        JsonNode root = tools.jackson.databind.json.JsonMapper.builder().build()
                .readTree(java.nio.file.Files.readString(dashboard));
        java.util.Set<String> names = new java.util.TreeSet<>();
        java.util.regex.Pattern metric = java.util.regex.Pattern.compile("\\ba6_optimizer_[a-z0-9_]+");
        for (JsonNode panel : root.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                metric.matcher(target.path("expr").asString()).results().forEach(m -> names.add(m.group()));
            }
        }
        return names;
    }

    @Test
    void shouldRefuseWrongTypedFieldsWithProblemJsonNamingTheFieldAndWriteNothing() throws Exception {
        String before = Harness.value(client, "/apisix/upstreams/1");
        int decisionsBefore = app.get("/api/v1/history").json().size();

        assertProblem(app.post("/api/v1/upstreams/upstreams/1/rollback", "{\"decision\":123}", Harness.key()),
                400, "decision");
        assertProblem(app.post("/api/v1/upstreams/upstreams/1/rollback", "[\"x\"]", Harness.key()), 400, "body");
        assertProblem(app.post("/api/v1/upstreams/upstreams/1/rollback", "{\"decison\":\"x\"}", Harness.key()),
                400, "decison");
        assertProblem(app.post("/api/v1/upstreams/upstreams/1/pause", "{\"reason\":42}", Harness.key()),
                400, "reason");
        assertThat(app.get("/api/v1/upstreams/upstreams/1").json().get("paused").asBoolean()).isFalse();

        Harness.Response limit = app.get("/api/v1/history?limit=abc");
        assertProblem(limit, 400, "limit");
        assertThat(limit.body()).doesNotContain("NumberFormat", "For input string", "java.");

        assertProblem(app.get("/api/v1/no-such-endpoint"), 404, "path");
        assertProblem(app.request("DELETE", "/api/v1/status", null, null, Harness.key()), 405, "method");
        assertProblem(app.request("PUT", "/api/v1/policies/default", "mode=auto", "text/plain", Harness.key()),
                415, "content-type");
        assertProblem(app.put("/api/v1/policies/default", "{", Harness.key()), 400, "body");
        assertProblem(app.get("/api/v1/upstreams/upstreams/999/history"), 404, "upstream");
        assertProblem(app.put("/api/v1/policies/upstreams/999", "{\"mode\":\"auto\"}", Harness.key()), 404,
                "upstream");
        assertThat(app.get("/api/v1/policies/upstreams/999").json().get("overrides").isEmpty()).isTrue();

        assertThat(app.get("/actuator/health").json().get("components").has("diskSpace")).isFalse();
        assertThat(Harness.value(client, "/apisix/upstreams/1")).isEqualTo(before);
        assertThat(app.get("/api/v1/history").json().size()).isEqualTo(decisionsBefore);
    }

    private static void assertProblem(Harness.Response r, int status, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("field").asString()).isEqualTo(field);
        assertThat(p.get("detail").asString()).isNotBlank();
    }

    @Test
    void shouldFailToStartOnBadConfigurationNamingTheProperty() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(OptimizerApplication.class)
                .run("--server.port=0", "--a6.optimizer.etcd.endpoints=" + etcd.endpoint(),
                        "--a6.optimizer.interval=0s", "--logging.level.root=OFF").close())
                .hasStackTraceContaining("a6.optimizer.interval: PT0S (expected: a duration >= 100ms, e.g. 5s)");
        assertThatThrownBy(() -> new SpringApplicationBuilder(OptimizerApplication.class)
                .run("--server.port=0", "--a6.optimizer.etcd.endpoints=" + etcd.endpoint(),
                        "--a6.optimizer.default-policy.read-factor=0", "--logging.level.root=OFF").close())
                .hasStackTraceContaining("a6.optimizer.default-policy.readFactor: 0");
    }
}
