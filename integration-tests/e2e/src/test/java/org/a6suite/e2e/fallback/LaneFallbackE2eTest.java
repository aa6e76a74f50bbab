package org.a6suite.e2e.fallback;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.e2e.fallback.FaultyBackend.Mode;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * adaptive-fallback in lane mode, end to end: client -> APISIX emulator (pre-req hands off, proxies to the lane) ->
 * runner lane -> two loopback backends named by APISIX upstream 1 in a real etcd.
 *
 * <p>The attempt budget is learned (2 x p99 of the route's latency, at least {@code floor} 0.2 s; {@code warmup} 2 s
 * before five samples, so a cold gateway's first requests on a loaded machine are not turned into fallbacks; every
 * test that checks the budget sends its five first). Whatever the backends do, the lane answers within its budget
 * + 50 ms and the client within budget + 180 ms (see {@link #assertWithinBudget}).
 */
class LaneFallbackE2eTest {

    /**
     * The lane's own lateness, the "attempt deadline + 50 ms": the deadline is a timer of the lane's own event
     * loop, which then writes the answer in the same task (no timer thread, no hand-off). Measured 1.0 to 8.0 ms at
     * load 15 to 20 on the 2 shared cores (before, with a timer thread and a hop: up to 35 ms at load 30 to 36, 64 ms
     * once at load 28).
     */
    private static final Duration SLACK = Duration.ofMillis(50);
    /** The client's whole wait stays within budget + 180 ms ({@link #SLACK} + this): see below. */
    private static final Duration GATEWAY_PATH = Duration.ofMillis(130);

    private static final Pattern TIMING = Pattern.compile("a6-fallback;dur=([0-9.]+), a6-budget;dur=([0-9]+)");
    private static final String LANE = """
            "lane":{"upstream_id":"1","retries":1,
                    "attempt_timeout":{"floor_ms":200,"warmup_ms":2000,"min_samples":5,"ceiling_ms":5000}}""";
    private static final String CONFIG = "{" + LANE + """
            ,"key":{"headers":["authorization"]},
             "breaker":{"window_size":10,"minimum_calls":5,"wait_in_open_ms":1000,"half_open_share":0.5},
             "static":{"status":200,"content_type":"application/json","body":"{\\"items\\":[]}"}}
            """;
    private static final String NO_STATIC = "{" + LANE + ",\"methods\":[\"GET\"]}";

    private static EtcdServer etcd;
    private static Client kv;

    @TempDir
    Path dir;

    private FaultyBackend a;
    private FaultyBackend b;
    private GatewayHarness gateway;
    private final AdaptiveFallbackPlugin plugin = new AdaptiveFallbackPlugin();
    private final List<OutcomeRecorder.Outcome> outcomes = new CopyOnWriteArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.start();
        kv = etcd.newClient();
    }

    @AfterAll
    static void stopEtcd() {
        if (kv != null) {
            kv.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        a = FaultyBackend.start("a");
        b = FaultyBackend.start("b");
        putUpstream(1, 1);
        gateway = GatewayHarness.builder(dir)
                .lane()
                .plugin(plugin)
                .env(AdaptiveFallbackPlugin.ETCD_ENDPOINTS, etcd.endpoint())
                .route(
                        "1",
                        ApisixRoutes.uri("/items/*")
                                .preReq("adaptive-fallback", CONFIG)
                                .upstream(ApisixRoutes.LANE)
                                .readTimeout(10)
                                .toJson())
                .route(
                        "2",
                        ApisixRoutes.uri("/bare/*")
                                .preReq("adaptive-fallback", NO_STATIC)
                                .upstream(ApisixRoutes.LANE)
                                .readTimeout(10)
                                .toJson())
                .start();
        gateway.runner().hooks().addOutcomeListener(outcomes::add);
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private void putUpstream(int weightA, int weightB) throws Exception {
        String json = "{\"type\":\"roundrobin\",\"timeout\":{\"connect\":1,\"send\":5,\"read\":5},\"nodes\":["
                + node(a.hostPort(), weightA) + "," + node(b.hostPort(), weightB) + "]}";
        kv.getKVClient()
                .put(ByteSequence.from("/apisix/upstreams/1", UTF_8), ByteSequence.from(json, UTF_8))
                .get();
    }

    private static String node(String hostPort, int weight) {
        String[] hp = hostPort.split(":");
        return "{\"host\":\"" + hp[0] + "\",\"port\":" + hp[1] + ",\"weight\":" + weight + "}";
    }

    private HttpResponse<String> send(String method, String path, String user) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(gateway.baseUri().resolve(path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        method.equals("POST")
                                ? HttpRequest.BodyPublishers.ofString("{\"n\":1}")
                                : HttpRequest.BodyPublishers.noBody());
        if (user != null) {
            r.header("Authorization", "Bearer " + user);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    /**
     * The lane's own wait (its {@code Server-Timing: a6-fallback;dur=...}, against the {@code a6-budget} it had) must
     * stay within the budget + {@link #SLACK}; the client's wait may add the gateway's own path (emulator, A6 call,
     * lane hop), which on this shared, loaded machine is up to {@link #GATEWAY_PATH}. An answer without the header
     * came from pre-req (the circuit is open) without waiting for the upstream at all.
     *
     * <p>Why the client bound is not budget + 50 ms: the lane's part runs on one thread (the outbound call, its
     * deadline and the answer on the lane connection's event loop) and so does the emulator's (a request's read, A6
     * call, proxying and answer on its client connection's loop, as nginx runs them in one worker), but the client's
     * request still crosses processes and sockets outside the lane's clock (the JDK client, the emulator, the runner's
     * A6 server, the lane server's read before and write after its clock), each a wake-up that waits for a core on
     * this shared 2-core machine. Measured over 5 runs of the budget tests, with this JVM at {@code nice -10} (the
     * nearest to a build alone that a shared machine allows; load 16 to 17 from other work): client wait beyond the
     * budget p50 10.5 ms, p90 26.9 ms, max 88.7 ms over 64 answers the lane made at its deadline, so budget + 50 ms
     * fails a few answers in a hundred; budget + 180 ms is twice the worst. Under heavier load the tail grows (3 CPU
     * hogs beside the tests: up to 243 ms with the lane on time); see docs/benchmarks.md, "Hang scenario". Against
     * nginx on an unshared machine the gateway's path is a few ms.
     */
    private static void assertWithinBudget(HttpResponse<String> r, Duration took, Duration budgetBefore) {
        Optional<String> timing = r.headers().firstValue("server-timing");
        Duration budget = budgetBefore;
        if (timing.isPresent()) {
            Matcher m = TIMING.matcher(timing.get());
            assertThat(m.find()).as("server-timing %s", timing.get()).isTrue();
            Duration waited = Duration.ofNanos((long) (Double.parseDouble(m.group(1)) * 1e6));
            budget = Duration.ofMillis(Long.parseLong(m.group(2)));
            assertThat(waited).as("lane wait, budget %s", budget).isLessThan(budget.plus(SLACK));
        }
        assertThat(took)
                .as("client wait, budget %s", budget)
                .isLessThan(budget.plus(SLACK).plus(GATEWAY_PATH));
    }

    private Duration budget(String routeId) {
        Duration budget = plugin.laneBudget(routeId).orElseThrow();
        assertThat(budget).isLessThanOrEqualTo(Duration.ofSeconds(5)); // the upstream's connect + read would be 6 s
        return budget;
    }

    /**
     * Ten answers from the backends for {@code /items/a}: the cache holds it and the budget has its samples. A cold
     * gateway on a very loaded machine may still miss the warm-up budget on its first requests, and then rightly
     * answers from the fallback; those do not count, within a bounded number of tries.
     */
    private void warmUp() throws Exception {
        int fromBackends = 0;
        for (int i = 0; i < 40 && fromBackends < 10; i++) {
            HttpResponse<String> r = get("/items/a");
            assertThat(r.statusCode()).isEqualTo(200);
            if (r.headers().firstValue("X-A6-Fallback").isEmpty()) {
                fromBackends++;
            }
        }
        assertThat(fromBackends)
                .as("answers from the healthy backends during warm-up")
                .isEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Mode.class,
            names = {"HANG", "STATUS_503", "RESET", "DRIP"})
    void shouldAnswerFromCacheWithinTheAttemptBudgetWhateverTheBackendsDo(Mode mode) throws Exception {
        warmUp();
        a.mode(mode);
        b.mode(mode);
        for (int i = 0; i < 15; i++) {
            Duration budget = budget("route#1");
            long t0 = System.nanoTime();
            HttpResponse<String> r = get("/items/a");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(r.headers().firstValue("X-A6-Fallback"))
                    .as("request %d", i)
                    .contains("cache");
            assertThat(r.body()).contains("\"path\":\"/items/a\"");
            assertWithinBudget(r, took, budget);
        }
        // never seen and nothing cached: the static answer, as fast
        HttpResponse<String> fresh = get("/items/never");
        assertThat(fresh.headers().firstValue("X-A6-Fallback")).contains("static");
    }

    @Test
    void shouldAnswerAnHonest504WithinTheBudgetWhenNothingCanFallBack() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertThat(get("/bare/x").statusCode()).isEqualTo(200);
        }
        a.mode(Mode.HANG);
        b.mode(Mode.HANG);
        for (int i = 0; i < 3; i++) {
            Duration budget = budget("route#2");
            long t0 = System.nanoTime();
            HttpResponse<String> r = get("/bare/y" + i);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(r.body()).contains("\"reason\":\"upstream_timeout\"");
            assertThat(r.headers().firstValue("server-timing")).isPresent();
            assertWithinBudget(r, took, budget);
        }
    }

    @Test
    void shouldRetryAnIdempotentRequestOnTheOtherNodeWhenOneHangs() throws Exception {
        warmUp();
        a.mode(Mode.STATUS_503);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = get("/items/r" + i);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-A6-Fallback")).isEmpty();
            assertThat(r.body()).contains("\"node\":\"b\"");
        }
    }

    @Test
    void shouldMoveLaneTrafficWithinASecondOfAWeightChangeInEtcd() throws Exception {
        putUpstream(1, 0);
        await().atMost(Duration.ofSeconds(2)).until(() -> get("/items/w").body().contains("\"node\":\"a\""));
        for (int i = 0; i < 5; i++) {
            assertThat(get("/items/w").body()).contains("\"node\":\"a\"");
        }
        long t0 = System.nanoTime();
        putUpstream(0, 1);
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> get("/items/w").body().contains("\"node\":\"b\""));
        Duration moved = Duration.ofNanos(System.nanoTime() - t0);
        for (int i = 0; i < 10; i++) {
            assertThat(get("/items/w").body()).contains("\"node\":\"b\"");
        }
        assertThat(moved).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void shouldNeverRetryAPostThatReachedABackend() throws Exception {
        warmUp();
        a.mode(Mode.RESET);
        b.mode(Mode.RESET);
        int before = a.requestCount() + b.requestCount();
        HttpResponse<String> r = send("POST", "/items/order", null);
        assertThat(r.statusCode()).isIn(200, 502); // the static answer (POST is not cached) or 502
        assertThat(a.requestCount() + b.requestCount() - before)
                .as("backend saw the POST once")
                .isEqualTo(1);

        a.mode(Mode.STATUS_503);
        b.mode(Mode.STATUS_503);
        before = a.requestCount() + b.requestCount();
        send("POST", "/items/order", null);
        assertThat(a.requestCount() + b.requestCount() - before).isEqualTo(1);
    }

    @Test
    void shouldSendAPostToTheOtherNodeWhenTheFirstNeverGotIt() throws Exception {
        // node a refuses connections: the POST provably never reached it
        int port = Integer.parseInt(a.hostPort().split(":")[1]);
        a.close();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = send("POST", "/items/order" + i, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"node\":\"b\"");
        }
        assertThat(b.seen()).allMatch(s -> s.method().equals("POST"));
        assertThat(outcomes)
                .anyMatch(o ->
                        o.node().equals("127.0.0.1:" + port) && o.result() == OutcomeRecorder.Result.CONNECT_ERROR);
    }

    @Test
    void shouldNeverServeOneUsersCachedAnswerToAnother() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertThat(send("GET", "/items/me", "alice").body()).contains("\"user\":\"Bearer alice\"");
        }
        a.mode(Mode.HANG);
        b.mode(Mode.HANG);
        HttpResponse<String> alice = send("GET", "/items/me", "alice");
        assertThat(alice.headers().firstValue("X-A6-Fallback")).contains("cache");
        assertThat(alice.body()).contains("alice");
        HttpResponse<String> bob = send("GET", "/items/me", "bob");
        assertThat(bob.body()).doesNotContain("alice");
        assertThat(bob.headers().firstValue("X-A6-Fallback")).contains("static");
    }

    @Test
    void shouldStreamABodyLargerThanTheCommitPointIntact() throws Exception {
        a.mode(Mode.BIG);
        b.mode(Mode.BIG);
        HttpResponse<byte[]> r = http.send(
                HttpRequest.newBuilder(gateway.baseUri().resolve("/items/big"))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(FaultyBackend.BIG_BYTES);
        for (int i = 0; i < r.body().length; i += 997) {
            assertThat(r.body()[i]).isEqualTo((byte) ('a' + i % 26));
        }
    }

    @Test
    void shouldRelayAnEventStreamChunkByChunk() throws Exception {
        a.mode(Mode.STREAM);
        b.mode(Mode.STREAM);
        long t0 = System.nanoTime();
        HttpResponse<java.util.stream.Stream<String>> r = http.send(
                HttpRequest.newBuilder(gateway.baseUri().resolve("/items/events"))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
        var lines = r.body().iterator();
        assertThat(lines.next()).isEqualTo("data: 1");
        // the first event arrived while the backend still holds the second one back
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(FaultyBackend.STREAM_PAUSE);
        assertThat(lines.next()).isEmpty();
        assertThat(lines.next()).isEqualTo("data: 2");
    }

    @Test
    void shouldCloseTheUpstreamConnectionWhenTheClientGoesAwayMidStream() throws Exception {
        a.mode(Mode.STREAM);
        b.mode(Mode.STREAM);
        HttpResponse<java.io.InputStream> r = http.send(
                HttpRequest.newBuilder(gateway.baseUri().resolve("/items/ev"))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        java.io.InputStream body = r.body();
        assertThat(new String(body.readNBytes(7), UTF_8)).isEqualTo("data: 1");
        assertThat(a.openConnections() + b.openConnections()).isEqualTo(1);
        body.close(); // the client goes away before the second event
        await().atMost(FaultyBackend.STREAM_PAUSE.plusSeconds(2))
                .until(() -> a.openConnections() + b.openConnections() == 0);
    }

    @Test
    void shouldReportEveryAttemptPerNodeToTheHealthPipeline() throws Exception {
        warmUp();
        a.mode(Mode.HANG);
        b.mode(Mode.STATUS_503);
        for (int i = 0; i < 4; i++) {
            get("/items/a");
        }
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(outcomes).allMatch(o -> o.upstreamKey().equals("upstreams/1"));
            assertThat(outcomes)
                    .anyMatch(o -> o.node().equals(a.hostPort())
                            && o.status().equals(java.util.Optional.of(200))
                            && o.result() == OutcomeRecorder.Result.SUCCESS);
            assertThat(outcomes)
                    .anyMatch(o -> o.node().equals(b.hostPort()) && o.result() == OutcomeRecorder.Result.HTTP_5XX);
            assertThat(outcomes)
                    .anyMatch(o -> o.node().equals(a.hostPort()) && o.result() == OutcomeRecorder.Result.TIMEOUT);
        });
    }
}
