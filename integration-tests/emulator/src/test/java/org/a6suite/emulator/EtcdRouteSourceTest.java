package org.a6suite.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.emulator.fixture.FakeRunner;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes, upstreams and services read from a real etcd the way APISIX reads them (reference
 * {@code apisix-upstreams-etcd.md}): plain JSON under {@code /apisix/routes|upstreams|services/<id>}, {@code init_dir}
 * placeholders skipped, {@code upstream_id} and {@code service_id} resolved, a route-level {@code timeout} overriding
 * the upstream's, changes applied live from the watch, a re-read after a compaction and a resume after etcd restarts;
 * PrepareConf keys carry the etcd {@code mod_revision} ({@code route#<id>#<plugin>#<modRevision>}).
 */
class EtcdRouteSourceTest {

    static EtcdServer etcd;
    static Client kv;

    @TempDir
    Path dir;

    final List<EchoBackend> backends = new ArrayList<>();
    ApisixEmulator emulator;
    FakeRunner runner;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final AtomicInteger tokens = new AtomicInteger();
    static final AtomicInteger prefixes = new AtomicInteger();
    String prefix;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.start();
        kv = etcd.newClient();
    }

    @AfterAll
    static void stopEtcd() {
        kv.close();
        etcd.close();
    }

    @BeforeEach
    void setUp() {
        prefix = "/apisix" + prefixes.incrementAndGet(); // a prefix per test: no test sees another's keys
    }

    @AfterEach
    void tearDown() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (runner != null) {
            runner.close();
        }
        backends.forEach(EchoBackend::close);
    }

    private EchoBackend backend() {
        EchoBackend b = EchoBackend.start();
        backends.add(b);
        return b;
    }

    private long put(String key, String value) throws Exception {
        return kv.getKVClient()
                .put(bytes(prefix + key), bytes(value))
                .get()
                .getHeader()
                .getRevision();
    }

    private void delete(String key) throws Exception {
        kv.getKVClient().delete(bytes(prefix + key)).get();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private void startEmulator() {
        emulator = ApisixEmulator.builder()
                .runnerSocket(dir.resolve("runner.sock"))
                .etcd(List.of(etcd.endpoint()), prefix)
                .build()
                .start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> emulator.etcd().orElseThrow().synced());
    }

    private int status(String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(emulator.baseUri() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String nodes(EchoBackend a, int wa, EchoBackend b, int wb) {
        return "{\"" + a.hostPort() + "\":" + wa + ",\"" + b.hostPort() + "\":" + wb + "}";
    }

    @Test
    void shouldServeRoutesFromEtcdSkippingInitDirPlaceholders() throws Exception {
        EchoBackend a = backend();
        // what `apisix init_etcd` writes: directory keys whose value is the raw string init_dir
        put("/routes/", "init_dir");
        put("/upstreams/", "init_dir");
        put("/services/", "init_dir");
        put(
                "/upstreams/1",
                "{\"type\":\"roundrobin\",\"nodes\":[{\"host\":\"127.0.0.1\",\"port\":" + a.port()
                        + ",\"weight\":1}]}");
        put("/routes/10", "{\"uri\":\"/a/*\",\"upstream_id\":\"1\",\"plugins\":{\"prometheus\":{}}}");
        startEmulator();
        assertThat(emulator.routeIds()).containsExactly("10");
        assertThat(status("/a/x")).isEqualTo(200);
        assertThat(a.requestCount()).isEqualTo(1);
    }

    @Test
    void shouldAddChangeAndRemoveRoutesLive() throws Exception {
        EchoBackend a = backend();
        EchoBackend b = backend();
        startEmulator();
        assertThat(status("/live/x")).isEqualTo(404);

        put("/upstreams/u", "{\"nodes\":" + nodes(a, 1, b, 0) + "}");
        put("/routes/1", "{\"uri\":\"/live/*\",\"upstream_id\":\"u\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> status("/live/x") == 200);
        for (int i = 0; i < 5; i++) {
            status("/live/x");
        }
        assertThat(b.requestCount()).isZero(); // weight 0 is never picked

        // a weight change written to etcd applies from the next request (the balancer is rebuilt per version)
        put("/upstreams/u", "{\"nodes\":" + nodes(a, 0, b, 1) + "}");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            status("/live/x");
            return b.requestCount() > 0;
        });
        long aBefore = a.requestCount();
        for (int i = 0; i < 5; i++) {
            assertThat(status("/live/x")).isEqualTo(200);
        }
        assertThat(a.requestCount()).isEqualTo(aBefore);

        delete("/routes/1");
        await().atMost(Duration.ofSeconds(5)).until(() -> status("/live/x") == 404);
    }

    @Test
    void shouldApplyRouteTimeoutOverTheUpstreamTimeoutAndFollowItsChanges() throws Exception {
        EchoBackend slow = backend();
        slow.fault(Fault.delay(Duration.ofMillis(400)));
        startEmulator();
        put(
                "/upstreams/1",
                "{\"nodes\":{\"" + slow.hostPort() + "\":1},\"timeout\":{\"connect\":1,\"send\":1," + "\"read\":5}}");
        put("/routes/1", "{\"uri\":\"/t/*\",\"upstream_id\":1,\"timeout\":{\"connect\":1,\"send\":1,\"read\":0.2}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> status("/t/x") == 504);

        put("/routes/1", "{\"uri\":\"/t/*\",\"upstream_id\":1}"); // without its own timeout: the upstream's 5 s
        await().atMost(Duration.ofSeconds(5)).until(() -> status("/t/x") == 200);

        put(
                "/upstreams/1",
                "{\"nodes\":{\"" + slow.hostPort() + "\":1},\"timeout\":{\"connect\":1,\"send\":1," + "\"read\":0.1}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> status("/t/x") == 504);
    }

    @Test
    void shouldKeyPrepareConfByModRevisionAndMergeServices() throws Exception {
        runner = new FakeRunner(dir.resolve("runner.sock"), this::noopRunner);
        EchoBackend a = backend();
        startEmulator();
        put("/upstreams/1", "{\"nodes\":{\"" + a.hostPort() + "\":1}}");
        long routeRev = put(
                "/routes/7",
                "{\"uri\":\"/p/*\",\"upstream_id\":\"1\",\"plugins\":{\"ext-plugin-pre-req\":"
                        + "{\"conf\":[{\"name\":\"P\",\"value\":\"v\"}]}}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> status("/p/x") == 200);
        long serviceRev = put(
                "/services/s",
                "{\"upstream_id\":\"1\",\"plugins\":{\"ext-plugin-post-req\":"
                        + "{\"conf\":[{\"name\":\"Q\",\"value\":\"w\"}]}}}");
        long route2Rev = put("/routes/8", "{\"uri\":\"/s/*\",\"service_id\":\"s\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> status("/s/x") == 200);

        List<String> keys = runner.received().stream()
                .filter(r -> r.message() instanceof PrepareConfRequest)
                .map(r -> ((PrepareConfRequest) r.message()).key().orElseThrow())
                .toList();
        assertThat(keys)
                .contains(
                        "route#7#ext-plugin-pre-req#" + routeRev,
                        "route&service#8&s#ext-plugin-post-req#" + route2Rev + "&" + serviceRev);
    }

    @Test
    void shouldReadEverythingAgainAfterTheWatchRevisionWasCompacted() throws Exception {
        EchoBackend a = backend();
        put("/upstreams/1", "{\"nodes\":{\"" + a.hostPort() + "\":1}}");
        startEmulator();
        EtcdRouteSource source = emulator.etcd().orElseThrow();
        long old = source.revision();
        put("/routes/1", "{\"uri\":\"/c1/*\",\"upstream_id\":\"1\"}");
        long now = put("/routes/2", "{\"uri\":\"/c2/*\",\"upstream_id\":\"1\"}");
        kv.getKVClient().compact(now).get();
        int resyncs = source.resyncs();

        source.watchFrom(old + 1); // a watch that fell behind the compaction
        await().atMost(Duration.ofSeconds(10)).until(() -> source.resyncs() > resyncs);
        assertThat(emulator.routeIds()).containsExactlyInAnyOrder("1", "2");
        assertThat(status("/c2/x")).isEqualTo(200);
        put("/routes/3", "{\"uri\":\"/c3/*\",\"upstream_id\":\"1\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> status("/c3/x") == 200);
    }

    @Test
    void shouldResumeAfterEtcdRestarts() throws Exception {
        EchoBackend a = backend();
        put("/upstreams/1", "{\"nodes\":{\"" + a.hostPort() + "\":1}}");
        put("/routes/1", "{\"uri\":\"/r1/*\",\"upstream_id\":\"1\"}");
        startEmulator();
        assertThat(status("/r1/x")).isEqualTo(200);

        etcd.restart();
        put("/routes/2", "{\"uri\":\"/r2/*\",\"upstream_id\":\"1\"}");
        await().atMost(Duration.ofSeconds(15)).until(() -> status("/r2/x") == 200);
        assertThat(status("/r1/x")).isEqualTo(200); // served from the last table while etcd was away
    }

    @Test
    void shouldLeaveOutARouteItCannotRunAndAnswer502ForAMissingUpstream() throws Exception {
        startEmulator();
        put(
                "/routes/1",
                "{\"uri\":\"/bad/*\",\"upstream\":{\"nodes\":{\"127.0.0.1:1\":1}},"
                        + "\"plugins\":{\"limit-count\":{}}}");
        put("/routes/2", "{\"uri\":\"/nouse/*\",\"upstream_id\":\"missing\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> emulator.routeIds().contains("2"));
        assertThat(emulator.routeIds()).doesNotContain("1");
        assertThat(status("/nouse/x")).isEqualTo(502);
    }

    private byte[] noopRunner(int conn, A6Message m) {
        return switch (m) {
            case PrepareConfRequest p -> FakeRunner.frame(new PrepareConfResponse(tokens.incrementAndGet()));
            case HttpReqCallRequest r ->
                FakeRunner.frame(new HttpReqCallResponse(r.id(), HttpReqCallResponse.None.INSTANCE));
            default -> null;
        };
    }
}
