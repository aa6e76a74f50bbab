package org.a6suite.optimizer.leader;

import static org.a6suite.optimizer.etcd.Etcd.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.testing.Harness;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Two optimizer instances on one etcd: one leader applies, the other takes over when it dies. */
class OptimizerFailoverTest {

    private static void publish(Client client) throws Exception {
        Map<String, double[]> nodes = new LinkedHashMap<>();
        nodes.put("10.0.0.1:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.2:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.3:80", new double[] {100, 0, 10, 40});
        nodes.put("10.0.0.4:80", new double[] {100, 0, 310, 400});
        Harness.publishHealth(client, "apisix-1", nodes);
    }

    private static boolean leads(Harness h) {
        try {
            return h.get("/api/v1/status").json().get("leader").asBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    void shouldFailOverToTheSecondInstanceAndNeverApplyAChangeTwice() throws Exception {
        try (EtcdServer etcd = EtcdServer.start();
                Client client = etcd.newClient()) {
            client.getKVClient()
                    .put(
                            bytes("/apisix/upstreams/1"),
                            bytes(
                                    "{\"nodes\":[{\"host\":\"10.0.0.1\","
                                            + "\"port\":80,\"weight\":40},{\"host\":\"10.0.0.2\",\"port\":80,\"weight\":40},{\"host\":"
                                            + "\"10.0.0.3\",\"port\":80,\"weight\":40},{\"host\":\"10.0.0.4\",\"port\":80,\"weight\":40}]}"))
                    .get(5, TimeUnit.SECONDS);
            // Latency ejection off: the test needs a stream of bounded steps across the failover, and an ejected node
            // would make no further step for 30 s.
            String[] common = {
                "a6.optimizer.default-policy.mode=auto",
                "a6.optimizer.default-policy.smoothing=0.2",
                "a6.optimizer.default-policy.outlier-consecutive-reports=0"
            };
            try (Harness a = new Harness(etcd.endpoint(), concat(common, "a6.optimizer.leader.replica-id=a"));
                    Harness b = new Harness(etcd.endpoint(), concat(common, "a6.optimizer.leader.replica-id=b"))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> leads(a) || leads(b));
                Harness leader = leads(a) ? a : b;
                Harness follower = leader == a ? b : a;
                assertThat(leads(follower)).isFalse();
                assertThat(follower.get("/api/v1/status")
                                .json()
                                .get("current_leader")
                                .asString())
                        .isEqualTo(leader == a ? "a" : "b");
                // a follower serves reads but refuses to apply
                Harness.Response refused = follower.post("/api/v1/upstreams/upstreams/1/apply", "", Harness.key());
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.json().get("field").asString()).isEqualTo("leader");
                // ... and every other write: only the leader writes etcd; the follower says so in its health
                Harness.Response policy =
                        follower.put("/api/v1/policies/upstreams/1", "{\"mode\":\"off\"}", Harness.key());
                assertThat(policy.status()).isEqualTo(503);
                assertThat(policy.contentType()).startsWith("application/problem+json");
                assertThat(policy.json().get("leader").asString()).isEqualTo(leader == a ? "a" : "b");
                assertThat(Harness.value(client, "/a6/optimizer/policies/upstreams/1"))
                        .isNull();
                assertThat(follower.post("/api/v1/upstreams/upstreams/1/dry-run", "{}", Harness.key())
                                .status())
                        .isEqualTo(200);
                JsonNode followerHealth = follower.get("/actuator/health")
                        .json()
                        .get("components")
                        .get("etcd")
                        .get("details");
                assertThat(followerHealth.get("role").asString()).isEqualTo("follower");
                assertThat(followerHealth.get("api").asString()).isEqualTo("read-only");
                assertThat(leader.get("/actuator/health")
                                .json()
                                .get("components")
                                .get("etcd")
                                .get("details")
                                .get("role")
                                .asString())
                        .isEqualTo("leader");

                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> {
                            publish(client);
                            return follower.get("/api/v1/history").json().size() >= 2;
                        });

                // the leader dies: its connection to etcd is gone, no resign, its lease runs out
                long died = System.nanoTime();
                leader.context().getBean(Client.class).close();
                await().atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> leads(follower));
                assertThat(follower.get("/actuator/health")
                                .json()
                                .get("components")
                                .get("etcd")
                                .get("details")
                                .get("api")
                                .asString())
                        .isEqualTo("read-write");
                assertThat(Duration.ofNanos(System.nanoTime() - died)).isLessThan(Duration.ofMillis(3500));

                int before = follower.get("/api/v1/history").json().size();
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(300))
                        .until(() -> {
                            publish(client);
                            return follower.get("/api/v1/history").json().size() >= before + 2;
                        });

                // every step started from where the previous one ended: none repeated, none lost
                JsonNode history = follower.get("/api/v1/history").json();
                for (int i = history.size() - 1; i > 0; i--) {
                    JsonNode older = history.get(i);
                    JsonNode newer = history.get(i - 1);
                    assertThat(newer.get("before").get("weights"))
                            .isEqualTo(older.get("after").get("weights"));
                    assertThat(newer.get("mod_revision_before").asLong())
                            .isGreaterThanOrEqualTo(
                                    older.get("mod_revision_after").asLong());
                }
                List<String> actors = history.valueStream()
                        .map(d -> d.get("actor").asString())
                        .distinct()
                        .toList();
                assertThat(actors).containsExactly("auto");
            }
        }
    }

    private static String[] concat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}
