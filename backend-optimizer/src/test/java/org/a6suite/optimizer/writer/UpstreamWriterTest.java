package org.a6suite.optimizer.writer;

import static org.a6suite.optimizer.etcd.Etcd.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.testing.MutableClock;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The safe writer against a real etcd. */
class UpstreamWriterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static EtcdServer etcd;
    private static Client client;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final UpstreamWriter writer = new UpstreamWriter(client, "/apisix", "/a6/optimizer", clock, 5, 3, meters);

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.start();
        client = etcd.newClient();
    }

    @AfterAll
    static void stopEtcd() {
        client.close();
        etcd.close();
    }

    private static void put(String key, String value) throws Exception {
        client.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS);
    }

    private static JsonNode get(String key) throws Exception {
        var kvs = client.getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getKvs();
        return JSON.readTree(kvs.getFirst().getValue().toString(StandardCharsets.UTF_8));
    }

    private static PlannedChange change(Optional<Timeouts> timeout, Map<String, Integer> weights) {
        return new PlannedChange(timeout, weights, List.of("test"), Recommendation.Inputs.NONE, "apply", "auto", null);
    }

    @Test
    void shouldChangeOnlyTimeoutAndWeightsOfAnArrayUpstream() throws Exception {
        put("/apisix/upstreams/1", """
                {"id":"1","type":"chash","hash_on":"header","key":"x-user","retries":2,"labels":{"team":"a"},
                 "nodes":[{"host":"10.0.0.1","port":80,"weight":10,"priority":1,"metadata":{"zone":"a"}},
                          {"host":"10.0.0.2","port":80,"weight":10}],
                 "checks":{"active":{"http_path":"/health"}},"create_time":1700000000,"update_time":1700000000}""");
        JsonNode before = get("/apisix/upstreams/1");
        WriteResult r = writer.apply(
                UpstreamRef.parse("upstreams/1"),
                c -> Optional.of(change(Optional.of(new Timeouts(0.5, 2, 2)), Map.of("10.0.0.2:80", 4))),
                Optional.empty());
        assertThat(r.outcome()).isEqualTo(WriteResult.Outcome.APPLIED);
        JsonNode after = get("/apisix/upstreams/1");
        assertThat(after.get("timeout").get("read").asDouble()).isEqualTo(2.0);
        assertThat(after.get("nodes").get(1).get("weight").asInt()).isEqualTo(4);
        assertThat(after.get("nodes").get(0)).isEqualTo(before.get("nodes").get(0));
        assertThat(after.get("update_time").asLong()).isEqualTo(clock.millis() / 1000);
        for (String field : List.of("id", "type", "hash_on", "key", "retries", "labels", "checks", "create_time")) {
            assertThat(after.get(field)).as(field).isEqualTo(before.get(field));
        }
        assertThat(after.propertyNames()).containsExactlyElementsOf(concat(before.propertyNames(), "timeout"));
        Decision d = r.decision().orElseThrow();
        assertThat(d.before().weights()).containsEntry("10.0.0.2:80", 10);
        assertThat(d.after().weights()).containsEntry("10.0.0.2:80", 4);
        assertThat(d.modRevisionAfter()).isGreaterThan(d.modRevisionBefore());
        assertThat(history("upstreams/1")).hasSize(1);
        JsonNode baseline = JSON.readTree(client.getKVClient()
                .get(bytes("/a6/optimizer/baseline/upstreams/1"))
                .get(5, TimeUnit.SECONDS)
                .getKvs()
                .getFirst()
                .getValue()
                .toString(StandardCharsets.UTF_8));
        assertThat(baseline.get("weights").get("10.0.0.2:80").asInt()).isEqualTo(10);
        assertThat(meters.get("a6.optimizer.decisions").counter().count()).isEqualTo(1);
    }

    private static List<String> concat(java.util.Collection<String> names, String extra) {
        var l = new java.util.ArrayList<>(names);
        if (!l.contains(extra)) {
            l.add(extra);
        }
        return l;
    }

    @Test
    void shouldChangeWeightsOfAMapUpstreamAndInlineRouteUpstream() throws Exception {
        put("/apisix/upstreams/2", "{\"nodes\":{\"10.0.0.1:80\":5,\"10.0.0.2:80\":5},\"type\":\"roundrobin\"}");
        writer.apply(
                UpstreamRef.parse("upstreams/2"),
                c -> Optional.of(change(Optional.empty(), Map.of("10.0.0.1:80", 2))),
                Optional.empty());
        JsonNode up = get("/apisix/upstreams/2");
        assertThat(up.get("nodes").get("10.0.0.1:80").asInt()).isEqualTo(2);
        assertThat(up.get("nodes").get("10.0.0.2:80").asInt()).isEqualTo(5);
        assertThat(up.has("timeout")).isFalse();

        put(
                "/apisix/routes/3",
                "{\"uri\":\"/r\",\"plugins\":{\"limit-count\":{\"count\":2}},"
                        + "\"upstream\":{\"nodes\":{\"127.0.0.1:1980\":1}}}");
        writer.apply(
                UpstreamRef.parse("routes/3"),
                c -> Optional.of(change(Optional.of(new Timeouts(1, 3, 3)), Map.of())),
                Optional.empty());
        JsonNode route = get("/apisix/routes/3");
        assertThat(route.get("upstream").get("timeout").get("connect").asDouble())
                .isEqualTo(1.0);
        assertThat(route.has("timeout")).isFalse();
        assertThat(route.get("plugins").get("limit-count").get("count").asInt()).isEqualTo(2);
    }

    @Test
    void shouldKeepAnOperatorsConcurrentEditAndRecompute() throws Exception {
        put(
                "/apisix/upstreams/4",
                "{\"nodes\":[{\"host\":\"10.0.0.1\",\"port\":80,\"weight\":10},"
                        + "{\"host\":\"10.0.0.2\",\"port\":80,\"weight\":10}]}");
        AtomicInteger planned = new AtomicInteger();
        WriteResult r = writer.apply(
                UpstreamRef.parse("upstreams/4"),
                current -> {
                    if (planned.incrementAndGet() == 1) {
                        // the operator edits between our read and our write: new field, one weight changed
                        try {
                            put(
                                    "/apisix/upstreams/4",
                                    "{\"nodes\":[{\"host\":\"10.0.0.1\",\"port\":80,\"weight\":20},"
                                            + "{\"host\":\"10.0.0.2\",\"port\":80,\"weight\":10}],\"retries\":1,\"desc\":\"operator\"}");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    // recomputed from what is stored: halve node 2 from its current weight
                    return Optional.of(change(
                            Optional.empty(),
                            Map.of("10.0.0.2:80", current.weights().get("10.0.0.2:80") / 2)));
                },
                Optional.empty());
        assertThat(r.outcome()).isEqualTo(WriteResult.Outcome.APPLIED);
        assertThat(r.conflicts()).isEqualTo(1);
        assertThat(planned).hasValue(2);
        JsonNode after = get("/apisix/upstreams/4");
        assertThat(after.get("desc").asString()).isEqualTo("operator");
        assertThat(after.get("retries").asInt()).isEqualTo(1);
        assertThat(after.get("nodes").get(0).get("weight").asInt()).isEqualTo(20);
        assertThat(after.get("nodes").get(1).get("weight").asInt()).isEqualTo(5);
        assertThat(meters.get("a6.optimizer.conflicts").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldRefuseToWriteWithAStaleFence() throws Exception {
        put("/apisix/upstreams/5", "{\"nodes\":{\"10.0.0.1:80\":5,\"10.0.0.2:80\":5}}");
        put("/a6/optimizer/leader/fake", "me");
        long created = client.getKVClient()
                .get(bytes("/a6/optimizer/leader/fake"))
                .get(5, TimeUnit.SECONDS)
                .getKvs()
                .getFirst()
                .getCreateRevision();
        Fence stale = new Fence("/a6/optimizer/leader/fake", created + 1000);
        WriteResult r = writer.apply(
                UpstreamRef.parse("upstreams/5"),
                c -> Optional.of(change(Optional.empty(), Map.of("10.0.0.1:80", 1))),
                Optional.of(stale));
        assertThat(r.outcome()).isEqualTo(WriteResult.Outcome.NOT_LEADER);
        assertThat(get("/apisix/upstreams/5").get("nodes").get("10.0.0.1:80").asInt())
                .isEqualTo(5);
        assertThat(history("upstreams/5")).isEmpty();

        WriteResult ok = writer.apply(
                UpstreamRef.parse("upstreams/5"),
                c -> Optional.of(change(Optional.empty(), Map.of("10.0.0.1:80", 1))),
                Optional.of(new Fence("/a6/optimizer/leader/fake", created)));
        assertThat(ok.outcome()).isEqualTo(WriteResult.Outcome.APPLIED);
    }

    @Test
    void shouldKeepABoundedHistoryAndReportNoChange() throws Exception {
        put("/apisix/upstreams/6", "{\"nodes\":{\"10.0.0.1:80\":10}}");
        for (int w = 9; w >= 5; w--) {
            int weight = w;
            clock.advance(java.time.Duration.ofSeconds(1));
            writer.apply(
                    UpstreamRef.parse("upstreams/6"),
                    c -> Optional.of(change(Optional.empty(), Map.of("10.0.0.1:80", weight))),
                    Optional.empty());
        }
        assertThat(history("upstreams/6")).hasSize(3);
        WriteResult same = writer.apply(
                UpstreamRef.parse("upstreams/6"),
                c -> Optional.of(change(Optional.empty(), Map.of("10.0.0.1:80", 5))),
                Optional.empty());
        assertThat(same.outcome()).isEqualTo(WriteResult.Outcome.NO_CHANGE);
        assertThat(writer.apply(UpstreamRef.parse("upstreams/404"), c -> Optional.empty(), Optional.empty())
                        .outcome())
                .isEqualTo(WriteResult.Outcome.NOT_FOUND);
    }

    @Test
    void shouldReportAnAppliedChangeAsAppliedWhenTheHistoryRevisionUpdateFails() throws Exception {
        put("/apisix/upstreams/7", """
                {"id":"7","nodes":[{"host":"10.0.0.1","port":80,"weight":10},{"host":"10.0.0.2","port":80,"weight":10}]}""");
        // The real etcd serves the transaction; only the history record's follow-up put (the one plain put the writer
        // makes) fails, as when etcd goes away right after the commit.
        UpstreamWriter failingHistory =
                new UpstreamWriter(failingPuts(client), "/apisix", "/a6/optimizer", clock, 5, 3, meters);

        WriteResult r = failingHistory.apply(
                UpstreamRef.parse("upstreams/7"),
                c -> Optional.of(change(Optional.empty(), Map.of("10.0.0.2:80", 4))),
                Optional.empty());

        assertThat(r.outcome()).isEqualTo(WriteResult.Outcome.APPLIED);
        assertThat(get("/apisix/upstreams/7").get("nodes").get(1).get("weight").asInt())
                .isEqualTo(4);
        assertThat(history("upstreams/7")).hasSize(1);
        assertThat(meters.counter("a6.optimizer.history.write.failures").count())
                .isEqualTo(1.0);
        assertThat(meters.counter("a6.optimizer.decisions", "kind", "apply", "actor", "auto")
                        .count())
                .isEqualTo(1.0);
    }

    /** {@code client}, except that every {@code KV.put} fails (transactions, reads and deletes reach etcd). */
    private static Client failingPuts(Client real) {
        KV realKv = real.getKVClient();
        KV kv = (KV) Proxy.newProxyInstance(
                KV.class.getClassLoader(),
                new Class<?>[] {KV.class},
                (proxy, method, args) -> method.getName().equals("put")
                        ? CompletableFuture.failedFuture(new IllegalStateException("history store unavailable"))
                        : invoke(method, realKv, args));
        return (Client) Proxy.newProxyInstance(
                Client.class.getClassLoader(),
                new Class<?>[] {Client.class},
                (proxy, method, args) -> method.getName().equals("getKVClient") ? kv : invoke(method, real, args));
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static List<String> history(String upstream) throws Exception {
        return client
                .getKVClient()
                .get(
                        bytes("/a6/optimizer/history/" + upstream + "/"),
                        GetOption.builder().isPrefix(true).build())
                .get(5, TimeUnit.SECONDS)
                .getKvs()
                .stream()
                .map(kv -> kv.getKey().toString(StandardCharsets.UTF_8))
                .toList();
    }
}
