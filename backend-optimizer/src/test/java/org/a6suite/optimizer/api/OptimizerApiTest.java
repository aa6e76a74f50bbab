package org.a6suite.optimizer.api;

import static org.a6suite.optimizer.etcd.Etcd.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.a6suite.optimizer.OptimizerApplication;
import org.a6suite.optimizer.testing.Harness;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import tools.jackson.databind.JsonNode;

/**
 * The service end to end over HTTP, against a real etcd. One application serves every test (starting it is the slow
 * part), but each test has an upstream of its own, created before and deleted after it with every policy and pause of
 * it, and its own health reporter: no test depends on another having run, or on the order.
 */
class OptimizerApiTest {

    static EtcdServer etcd;
    static Client client;
    static Harness app;
    private static final AtomicInteger IDS = new AtomicInteger();

    /** This test's upstream id, its API path and the JSON stored for it in APISIX's etcd. */
    private String id;

    private String path;
    private String stored;

    static String upstream(String id) {
        return """
                {"id":"%s","type":"roundrobin","retries":1,"desc":"four nodes",
                 "nodes":[{"host":"10.0.0.1","port":80,"weight":10},{"host":"10.0.0.2","port":80,"weight":10},
                          {"host":"10.0.0.3","port":80,"weight":10},{"host":"10.0.0.4","port":80,"weight":10}],
                 "timeout":{"connect":6,"send":6,"read":6}}""".formatted(id);
    }

    @BeforeAll
    static void start() throws Exception {
        etcd = EtcdServer.start();
        client = etcd.newClient();
        client.getKVClient().put(bytes("/apisix/upstreams/"), bytes("init_dir")).get(5, TimeUnit.SECONDS);
        app = new Harness(etcd.endpoint());
        // Only the leader takes writes: every test writes, so none starts before the election is won.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> app.get("/api/v1/status").json().get("leader").asBoolean());
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
    void createUpstream() throws Exception {
        id = "t" + IDS.incrementAndGet();
        path = "/api/v1/upstreams/upstreams/" + id;
        stored = upstream(id);
        client.getKVClient()
                .put(bytes("/apisix/upstreams/" + id), bytes(stored))
                .get(5, TimeUnit.SECONDS);
        client.getKVClient()
                .put(
                        bytes("/apisix/routes/" + id),
                        bytes("{\"uri\":\"/" + id + "\",\"upstream_id\":\"" + id
                                + "\",\"timeout\":{\"connect\":2,\"send\":2,\"read\":2}}"))
                .get(5, TimeUnit.SECONDS);
        publishDegraded();
        await().atMost(Duration.ofSeconds(10)).until(() -> app.get(path).status() == 200);
    }

    /** Deleting the upstream stops every loop write to it; its policy and pause go with it. */
    @AfterEach
    void deleteUpstream() throws Exception {
        for (String key : new String[] {
            "/apisix/upstreams/" + id,
            "/apisix/routes/" + id,
            "/a6/health/apisix-" + id,
            "/a6/optimizer/policies/upstreams/" + id,
            "/a6/optimizer/paused/upstreams/" + id
        }) {
            client.getKVClient().delete(bytes(key)).get(5, TimeUnit.SECONDS);
        }
        client.getKVClient().delete(bytes("/a6/optimizer/policies/default")).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> app.get(path).status() == 404);
    }

    /** Node 4 of this test's upstream is slow and fails 5 %. */
    void publishDegraded() throws Exception {
        Map<String, double[]> nodes = new LinkedHashMap<>();
        nodes.put("10.0.0.1:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.2:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.3:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.4:80", new double[] {100, 5, 310, 400});
        Harness.publishHealth(client, "apisix-" + id, "upstreams/" + id, nodes);
    }

    private JsonNode recommendationWithChange() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(app.get(path).json().get("status").asString())
                                .isEqualTo("change"));
        return app.get(path).json();
    }

    @Test
    void shouldListUpstreamsWithHealthAndRecommendation() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode listed = app.get("/api/v1/upstreams")
                    .json()
                    .valueStream()
                    .filter(u -> u.get("upstream").asString().equals("upstreams/" + id))
                    .findFirst()
                    .orElseThrow();
            assertThat(listed.get("status").asString()).isEqualTo("change");
        });
        JsonNode one = app.get(path).json();
        assertThat(one.get("mode").asString()).isEqualTo("recommend");
        assertThat(one.get("health").get("10.0.0.4:80").get("requests").asLong())
                .isEqualTo(100);
        JsonNode rec = one.get("recommendation");
        assertThat(rec.get("weights").get("10.0.0.4:80").asInt()).isLessThan(10);
        assertThat(rec.get("timeout").get("read").asDouble()).isEqualTo(1.0);
        assertThat(rec.get("route_overrides").get(0).asString()).startsWith("routes/" + id + " sets its own timeout");
        assertThat(app.get("/api/v1/upstreams/upstreams/404").status()).isEqualTo(404);
    }

    @Test
    void shouldRequireCredentialsForWritesAndAnswerWithProblemJson() throws Exception {
        Harness.Response none = app.post(path + "/apply", "", Map.of());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.json().get("field").asString()).isEqualTo("credentials");
        Harness.Response wrong = app.post(path + "/apply", "", Map.of("X-API-Key", "test-api-key-0123456788"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("0123456788");
        Harness.Response wrongBearer = app.post(path + "/pause", "", Map.of("Authorization", "Bearer nope"));
        assertThat(wrongBearer.status()).isEqualTo(401);
        assertThat(Harness.value(client, "/apisix/upstreams/" + id)).isEqualTo(stored);
    }

    @Test
    void shouldRejectInvalidPoliciesNamingTheField() {
        Harness.Response bad = app.put("/api/v1/policies/upstreams/" + id, "{\"read_factor\": 0.5}", Harness.key());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.json().get("field").asString()).isEqualTo("read_factor");
        assertThat(bad.json().get("detail").asString()).isEqualTo("read_factor: 0.5 (expected: a number in [1, 100])");
        Harness.Response unknown = app.put("/api/v1/policies/default", "{\"colour\": \"red\"}", Harness.key());
        assertThat(unknown.json().get("field").asString()).isEqualTo("colour");
        Harness.Response mode = app.put("/api/v1/policies/default", "{\"mode\": \"sometimes\"}", Harness.key());
        assertThat(mode.json().get("detail").asString())
                .isEqualTo("mode: \"sometimes\" (expected: off, recommend or auto)");
        Harness.Response notJson = app.put("/api/v1/policies/default", "{", Harness.key());
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("field").asString()).isEqualTo("body");
        Harness.Response badKind = app.get("/api/v1/policies/plugins/1");
        assertThat(badKind.json().get("field").asString()).isEqualTo("kind");
        assertThat(app.get("/api/v1/policies/upstreams/" + id)
                        .json()
                        .get("overrides")
                        .isEmpty())
                .isTrue();
    }

    @Test
    void shouldRefuseCamelCaseFieldsNamingThemAndStoreNothing() throws Exception {
        Harness.Response policy = app.put("/api/v1/policies/upstreams/" + id, "{\"readFactor\": 3}", Harness.key());
        assertProblem(policy, 400, "readFactor");
        assertThat(policy.json().get("detail").asString()).contains("read_factor");
        assertProblem(
                app.put("/api/v1/policies/default", "{\"mode\":\"auto\",\"minSamples\":5}", Harness.key()),
                400,
                "minSamples");
        assertProblem(app.post(path + "/dry-run", "{\"readFactor\": 50}", Harness.key()), 400, "readFactor");
        assertProblem(app.post(path + "/pause", "{\"reason\":\"x\",\"atMs\":1}", Harness.key()), 400, "atMs");
        assertProblem(app.post(path + "/rollback", "{\"decisionId\":\"x\"}", Harness.key()), 400, "decisionId");

        assertThat(app.get("/api/v1/policies/upstreams/" + id)
                        .json()
                        .get("overrides")
                        .isEmpty())
                .isTrue();
        assertThat(app.get("/api/v1/policies/default")
                        .json()
                        .get("effective")
                        .get("mode")
                        .asString())
                .isEqualTo("recommend");
        assertThat(app.get(path).json().get("paused").asBoolean()).isFalse();
        assertThat(Harness.value(client, "/apisix/upstreams/" + id)).isEqualTo(stored);
    }

    @Test
    void shouldDryRunAPolicyWithoutChangingAnything() throws Exception {
        String overrides = "{\"read_factor\": 50, \"min_read_timeout\": 0.1}";
        // Once node 4's score has dropped (a few intervals of reports), only the healthy nodes set the timeout:
        // their p99 response 40 ms x 50 = 2 s. A dry run changes nothing, so asking again is harmless.
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> {
                    publishDegraded();
                    Harness.Response r = app.post(path + "/dry-run", overrides, Harness.key());
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.json()
                                    .get("recommendation")
                                    .get("timeout")
                                    .get("read")
                                    .asDouble())
                            .isEqualTo(2.0);
                    assertThat(r.json().get("policy").get("read_factor").asDouble())
                            .isEqualTo(50.0);
                });
        assertThat(app.get("/api/v1/policies/upstreams/" + id)
                        .json()
                        .get("overrides")
                        .isEmpty())
                .isTrue();
        assertThat(Harness.value(client, "/apisix/upstreams/" + id)).isEqualTo(stored);
    }

    @Test
    void shouldApplyARecommendationAndRollItBack() throws Exception {
        recommendationWithChange();
        Harness.Response applied = app.post(path + "/apply", "", Harness.key());
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(applied.json().get("outcome").asString()).isEqualTo("applied");
        JsonNode written = Harness.JSON.readTree(Harness.value(client, "/apisix/upstreams/" + id));
        assertThat(written.get("nodes").get(3).get("weight").asInt()).isLessThan(10);
        assertThat(written.get("timeout").get("read").asDouble()).isEqualTo(1.0);
        assertThat(written.get("desc").asString()).isEqualTo("four nodes");
        assertThat(written.get("retries").asInt()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(app.get(path + "/history").json()).hasSize(1));
        Harness.Response back = app.post(path + "/rollback", "", Harness.key());
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        JsonNode restored = Harness.JSON.readTree(Harness.value(client, "/apisix/upstreams/" + id));
        assertThat(restored.get("nodes").get(3).get("weight").asInt()).isEqualTo(10);
        assertThat(restored.get("timeout").get("read").asDouble()).isEqualTo(6.0);
        String rollbackId = back.json().get("decision").get("id").asString();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode history = app.get(path + "/history").json();
            assertThat(history).hasSize(2);
            assertThat(history.get(0).get("kind").asString()).isEqualTo("rollback");
            assertThat(history.get(0).get("rollback_of").asString())
                    .isEqualTo(history.get(1).get("id").asString());
            assertThat(app.get("/api/v1/history")
                            .json()
                            .valueStream()
                            .map(d -> d.get("id").asString()))
                    .contains(rollbackId);
        });
    }

    @Test
    void shouldRetuneOnItsOwnInAutoModeAndStopWhenPaused() throws Exception {
        String key = "/apisix/upstreams/" + id;
        Harness.Response auto = app.put("/api/v1/policies/upstreams/" + id, "{\"mode\":\"auto\"}", Harness.key());
        assertThat(auto.status()).isEqualTo(200);
        assertThat(auto.json().get("effective").get("mode").asString()).isEqualTo("auto");
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> {
                    publishDegraded();
                    JsonNode written = Harness.JSON.readTree(Harness.value(client, key));
                    assertThat(written.get("nodes").get(3).get("weight").asInt())
                            .isLessThanOrEqualTo(4);
                    assertThat(written.get("nodes").get(0).get("weight").asInt())
                            .isEqualTo(10);
                });
        assertThat(app.post(path + "/pause", "{\"reason\":\"maintenance\"}", Harness.key())
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> app.get(path).json().get("paused").asBoolean());
        String frozen = Harness.value(client, key);
        // Five loop intervals (200 ms each) with fresh degraded reports: nothing may change while paused.
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    publishDegraded();
                    return frozen.equals(Harness.value(client, key));
                });
        assertThat(app.post(path + "/resume", "", Harness.key()).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !app.get(path).json().get("paused").asBoolean());
    }

    @Test
    void shouldServeOpenApiHealthAndMetrics() throws Exception {
        Harness.Response docs = app.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("openapi").asString()).startsWith("3.1");
        assertThat(docs.json().get("paths").has("/api/v1/upstreams/{kind}/{id}/apply"))
                .isTrue();
        JsonNode health = app.get("/actuator/health").json();
        assertThat(health.get("status").asString()).isEqualTo("UP");
        JsonNode details = health.get("components").get("etcd").get("details");
        assertThat(details.get("synced").asBoolean()).isTrue();
        assertThat(details.get("role").asString()).isEqualTo("leader");
        assertThat(details.get("api").asString()).isEqualTo("read-write");
        // The per-node gauges appear once the loop has evaluated this test's upstream (its first pass after it).
        String metrics = await().atMost(Duration.ofSeconds(10))
                .until(() -> app.get("/actuator/prometheus").body(), m -> m.contains("upstream=\"upstreams/" + id));
        assertThat(metrics)
                .contains(
                        "a6_optimizer_decisions_total",
                        "a6_optimizer_watch_lag_seconds",
                        "a6_optimizer_leader",
                        "a6_optimizer_conflicts_total",
                        "a6_optimizer_rollbacks_total",
                        "a6_optimizer_node_weight{",
                        "a6_optimizer_node_recommended_weight{",
                        "a6_optimizer_node_score{");
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
        java.nio.file.Path dashboard = java.nio.file.Path.of("")
                .toAbsolutePath()
                .getParent()
                .resolve("observability/grafana/dashboards/a6-suite.json");
        JsonNode root = tools.jackson.databind.json.JsonMapper.builder()
                .build()
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
        int decisionsBefore = app.get("/api/v1/history").json().size();

        assertProblem(app.post(path + "/rollback", "{\"decision\":123}", Harness.key()), 400, "decision");
        assertProblem(app.post(path + "/rollback", "[\"x\"]", Harness.key()), 400, "body");
        assertProblem(app.post(path + "/rollback", "{\"decison\":\"x\"}", Harness.key()), 400, "decison");
        assertProblem(app.post(path + "/pause", "{\"reason\":42}", Harness.key()), 400, "reason");
        assertThat(app.get(path).json().get("paused").asBoolean()).isFalse();

        Harness.Response limit = app.get("/api/v1/history?limit=abc");
        assertProblem(limit, 400, "limit");
        assertThat(limit.body()).doesNotContain("NumberFormat", "For input string", "java.");

        assertProblem(app.get("/api/v1/no-such-endpoint"), 404, "path");
        assertProblem(app.request("DELETE", "/api/v1/status", null, null, Harness.key()), 405, "method");
        assertProblem(
                app.request("PUT", "/api/v1/policies/default", "mode=auto", "text/plain", Harness.key()),
                415,
                "content-type");
        assertProblem(app.put("/api/v1/policies/default", "{", Harness.key()), 400, "body");
        assertProblem(app.get("/api/v1/upstreams/upstreams/999/history"), 404, "upstream");
        assertProblem(app.put("/api/v1/policies/upstreams/999", "{\"mode\":\"auto\"}", Harness.key()), 404, "upstream");
        assertThat(app.get("/api/v1/policies/upstreams/999")
                        .json()
                        .get("overrides")
                        .isEmpty())
                .isTrue();

        assertThat(app.get("/actuator/health").json().get("components").has("diskSpace"))
                .isFalse();
        assertThat(Harness.value(client, "/apisix/upstreams/" + id)).isEqualTo(stored);
        assertThat(app.get(path + "/history").json()).isEmpty();
        assertThat(app.get("/api/v1/history").json().size()).isEqualTo(decisionsBefore);
    }

    /** A member name that is a word, not a map key such as {@code 10.0.0.4:80} or {@code upstreams/1}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private static final Pattern SNAKE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

    @Test
    void shouldNameEveryMemberOfEveryResponseInSnakeCase() throws Exception {
        recommendationWithChange();
        String policies = "/api/v1/policies/upstreams/" + id;
        Map<String, Harness.Response> responses = new LinkedHashMap<>();
        responses.put("PUT policy", app.put(policies, "{\"mode\":\"recommend\",\"read_factor\":3}", Harness.key()));
        responses.put("apply", app.post(path + "/apply", "", Harness.key()));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> app.get(path + "/history").json().size() == 1);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !app.get(path + "/series").json().get("points").isEmpty());
        responses.put("status", app.get("/api/v1/status"));
        responses.put("upstreams", app.get("/api/v1/upstreams"));
        responses.put("upstream", app.get(path));
        responses.put("series", app.get(path + "/series"));
        responses.put("upstream history", app.get(path + "/history"));
        responses.put("history", app.get("/api/v1/history"));
        responses.put("dry-run", app.post(path + "/dry-run", "{\"read_factor\":4}", Harness.key()));
        responses.put("GET policy", app.get(policies));
        responses.put("GET default policy", app.get("/api/v1/policies/default"));
        responses.put("PUT default policy", app.put("/api/v1/policies/default", "{\"min_samples\":50}", Harness.key()));
        responses.put("pause", app.post(path + "/pause", "{\"reason\":\"checking names\"}", Harness.key()));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> app.get(path).json().get("paused").asBoolean());
        responses.put("paused upstream", app.get(path));
        responses.put("resume", app.post(path + "/resume", "", Harness.key()));
        responses.put("rollback", app.post(path + "/rollback", "", Harness.key()));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> app.get(path + "/history").json().size() == 2);
        responses.put("history after rollback", app.get(path + "/history"));
        responses.put("400 policy", app.put(policies, "{\"read_factor\":0}", Harness.key()));
        responses.put("400 limit", app.get("/api/v1/history?limit=0"));
        responses.put("401", app.post(path + "/apply", "", Map.of()));
        responses.put("404 upstream", app.get("/api/v1/upstreams/upstreams/404"));
        responses.put("404 decision", app.post(path + "/rollback", "{\"decision\":\"nope\"}", Harness.key()));
        responses.put("404 path", app.get("/api/v1/nothing"));
        responses.put("405", app.request("DELETE", "/api/v1/status", null, null, Harness.key()));
        responses.put("415", app.request("PUT", policies, "mode=off", "text/plain", Harness.key()));
        app.put(policies, "{\"mode\":\"off\"}", Harness.key());
        // The service reads policies from its watch of etcd: wait until it sees the write before relying on it.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> app.get(path).json().get("mode").asString().equals("off"));
        responses.put("409 mode off", app.post(path + "/apply", "", Harness.key()));

        List<String> offenders = new ArrayList<>();
        responses.forEach((name, r) -> {
            assertThat(r.body()).as(name).isNotBlank();
            collectNonSnakeNames(name, r.json(), offenders);
        });
        assertThat(responses.get("history after rollback").json())
                .as("the walk covered decisions")
                .hasSize(2);
        assertThat(responses.get("409 mode off").status()).isEqualTo(409);
        // The OpenAPI document's own keywords are camelCase by its specification; the API's fields it describes are
        // not.
        app.get("/v3/api-docs")
                .json()
                .get("components")
                .get("schemas")
                .properties()
                .forEach(schema -> schema.getValue()
                        .path("properties")
                        .propertyNames()
                        .forEach(field -> {
                            if (!SNAKE.matcher(field).matches()) {
                                offenders.add("/v3/api-docs " + schema.getKey() + "." + field);
                            }
                        }));
        assertThat(offenders).isEmpty();
    }

    private static void collectNonSnakeNames(String where, JsonNode node, List<String> offenders) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (NAME.matcher(e.getKey()).matches()
                        && !SNAKE.matcher(e.getKey()).matches()) {
                    offenders.add(where + ": " + e.getKey());
                }
                collectNonSnakeNames(where, e.getValue(), offenders);
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectNonSnakeNames(where, child, offenders));
        }
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
                        .run(
                                "--server.port=0",
                                "--a6.optimizer.etcd.endpoints=" + etcd.endpoint(),
                                "--a6.optimizer.interval=0s",
                                "--logging.level.root=OFF")
                        .close())
                .hasStackTraceContaining("a6.optimizer.interval: PT0S (expected: a duration >= 100ms, e.g. 5s)");
        assertThatThrownBy(() -> new SpringApplicationBuilder(OptimizerApplication.class)
                        .run(
                                "--server.port=0",
                                "--a6.optimizer.etcd.endpoints=" + etcd.endpoint(),
                                "--a6.optimizer.default-policy.read-factor=0",
                                "--logging.level.root=OFF")
                        .close())
                .hasStackTraceContaining("a6.optimizer.default-policy.read-factor: 0");
    }
}
