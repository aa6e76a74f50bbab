package org.a6suite.optimizer.etcd;

import static org.a6suite.optimizer.etcd.Etcd.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.CompactOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mirror against a real etcd. */
class EtcdMirrorTest {

    private EtcdServer etcd;
    private Client client;
    private ScheduledExecutorService scheduler;
    private EtcdMirror mirror;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        etcd = EtcdServer.start();
        client = etcd.newClient();
        put("/apisix/upstreams/", "init_dir");
        put("/apisix/upstreams/1", "{\"nodes\":{\"127.0.0.1:8081\":1}}");
        put(
                "/apisix/routes/7",
                "{\"uri\":\"/x\",\"upstream_id\":\"1\",\"timeout\":{\"connect\":1,\"send\":1,\"read\":1}}");
        scheduler = Executors.newScheduledThreadPool(2);
        mirror = new EtcdMirror(client, "/apisix", "/a6/health", "/a6/optimizer", Clock.systemUTC(), meters, scheduler);
        mirror.start();
        assertThat(mirror.awaitSynced(Duration.ofSeconds(10))).isTrue();
    }

    @AfterEach
    void stop() {
        mirror.close();
        scheduler.shutdownNow();
        client.close();
        etcd.close();
    }

    private void put(String key, String value) throws Exception {
        client.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldReadInitiallySkipInitDirAndFollowChanges() throws Exception {
        UpstreamRef one = UpstreamRef.parse("upstreams/1");
        assertThat(mirror.snapshot().upstreams()).containsOnlyKeys(one);
        assertThat(mirror.snapshot().routesOverridingTimeout(one)).hasSize(1);

        put("/apisix/upstreams/2", "{\"nodes\":[{\"host\":\"10.0.0.2\",\"port\":80,\"weight\":3}]}");
        put("/apisix/routes/8", "{\"uri\":\"/y\",\"upstream\":{\"nodes\":{\"127.0.0.1:9000\":1}}}");
        put(
                "/a6/health/apisix-1",
                "{\"version\":1,\"node_id\":\"apisix-1\",\"generated_at_ms\":" + System.currentTimeMillis()
                        + ",\"interval_ms\":5000,\"upstreams\":{}}");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(mirror.snapshot().upstreams())
                    .containsKeys(UpstreamRef.parse("upstreams/2"), UpstreamRef.parse("routes/8"));
            assertThat(mirror.snapshot().health()).containsKey("apisix-1");
        });
        assertThat(meters.get("a6.optimizer.watch.lag").timer().count()).isEqualTo(1);

        client.getKVClient().delete(bytes("/apisix/upstreams/1")).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(mirror.snapshot().upstreams()).doesNotContainKey(one));
    }

    @Test
    void shouldReReadAfterCompaction() throws Exception {
        // Stop watching, change and compact, then make the watch resume from a compacted revision: simulated by
        // closing the mirror, compacting, and starting a second mirror whose watcher is forced to resync.
        long rev = client.getKVClient()
                .put(bytes("/apisix/upstreams/3"), bytes("{\"nodes\":{\"a:1\":1}}"))
                .get(5, TimeUnit.SECONDS)
                .getHeader()
                .getRevision();
        for (int i = 0; i < 5; i++) {
            put("/apisix/upstreams/3", "{\"nodes\":{\"a:1\":" + (i + 2) + "}}");
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(mirror.snapshot()
                                .upstreams()
                                .get(UpstreamRef.parse("upstreams/3"))
                                .weights())
                        .containsEntry("a:1", 6));

        // A watch that starts below the compacted revision fails with CompactedException: the watcher must re-read.
        long head = client.getKVClient()
                .put(bytes("/apisix/upstreams/4"), bytes("{\"nodes\":{\"b:1\":1}}"))
                .get(5, TimeUnit.SECONDS)
                .getHeader()
                .getRevision();
        client.getKVClient()
                .compact(
                        head,
                        CompactOption.newBuilder().withCompactPhysical(true).build())
                .get(5, TimeUnit.SECONDS);
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        PrefixWatcher stale = new PrefixWatcher(
                client,
                "/apisix/upstreams/",
                new PrefixWatcher.Listener() {
                    @Override
                    public void onReset(java.util.Map<String, KeyValue> all, long revision) {
                        seen.add("reset:" + all.size());
                    }

                    @Override
                    public void onPut(KeyValue kv) {
                        seen.add("put:" + kv.key());
                    }

                    @Override
                    public void onDelete(String key, long revision) {
                        seen.add("delete:" + key);
                    }
                },
                scheduler);
        try (stale) {
            stale.forceWatchFrom(rev);
            await().atMost(Duration.ofSeconds(10)).until(() -> stale.resyncs() >= 1 && stale.synced());
            assertThat(seen).contains("reset:4");
            put("/apisix/upstreams/5", "{\"nodes\":{\"c:1\":1}}");
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("put:/apisix/upstreams/5"));
        }
    }

    @Test
    void shouldResumeAfterEtcdRestart() throws Exception {
        etcd.restart();
        put("/apisix/upstreams/9", "{\"nodes\":{\"127.0.0.1:9999\":2}}");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(mirror.snapshot().upstreams()).containsKey(UpstreamRef.parse("upstreams/9")));
        etcd.stop();
        // while etcd is down nothing is lost: changes made after it comes back arrive
        etcd.restart();
        put("/apisix/upstreams/10", "{\"nodes\":{\"127.0.0.1:9998\":2}}");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(mirror.snapshot().upstreams())
                        .containsKeys(UpstreamRef.parse("upstreams/9"), UpstreamRef.parse("upstreams/10")));
    }
}
