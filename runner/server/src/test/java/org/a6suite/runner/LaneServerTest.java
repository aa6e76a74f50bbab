package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.testing.ManualClock;
import org.a6suite.runner.testing.RawHttpClient;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.testing.TestPlugin;
import org.a6suite.runner.testing.TestPublisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP lane through a real runner: the A6 handoff, then raw HTTP to the lane on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LaneServerTest extends RunnerFixture {

    private static final String HANDOFF = "x-a6-lane";

    private final AtomicReference<TestPlugin.LaneCallback> onLane =
            new AtomicReference<>((r, c, ctx) -> CompletableFuture.completedFuture(text(200, "ok")));
    private final AtomicInteger laneCalls = new AtomicInteger();
    private final List<RawHttpClient> clients = new ArrayList<>();

    private final TestPlugin lanePlugin = TestPlugin.named("lane")
            .onRequest((request, config) -> RequestDecision.rewrite()
                    .setHeader("x-checked", "yes")
                    .toLane()
                    .build())
            .onLane((request, config, context) -> {
                laneCalls.incrementAndGet();
                return onLane.get().answer(request, config, context);
            })
            .build();

    @AfterEach
    void closeClients() {
        clients.forEach(RawHttpClient::close);
    }

    @Test
    void shouldStampAHandoffOnThePreReqRewriteWhenThePluginAsksForTheLane() {
        RunnerServer server = startLane(lanePlugin);
        long token = prepare("lane", "cfg");

        HttpReqCallResponse reply = (HttpReqCallResponse) connect().call(requestCall(token));

        var rewrite = (HttpReqCallResponse.Rewrite) reply.action();
        assertThat(rewrite.headers()).extracting(TextEntry::name).containsExactly("x-checked", HANDOFF);
        assertThat(rewrite.headers().get(1).value().orElseThrow())
                .matches("v1\\." + token + "\\.0\\.42\\.\\d+\\..{22}");
        assertThat(server.laneAddress())
                .hasValueSatisfying(a -> assertThat(a.getPort()).isPositive());
    }

    @Test
    void shouldCallOnLaneWithTheRoutesParsedConfigWhenTheHandoffIsReplayedToTheLane() {
        AtomicReference<RequestView> seen = new AtomicReference<>();
        AtomicReference<String> config = new AtomicReference<>();
        AtomicReference<CallContext> context = new AtomicReference<>();
        onLane.set((r, c, ctx) -> {
            seen.set(r);
            config.set(c);
            context.set(ctx);
            return CompletableFuture.completedFuture(text(201, "hello"));
        });
        RunnerServer server = startLane(lanePlugin);
        long token = prepare("lane", "cfg-value");
        RawHttpClient client = lane(server);

        client.send(
                "POST",
                "/v1/chat%20x?model=m&stream&q=a+b",
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
                HANDOFF,
                handoff(token),
                "X-Real-IP",
                "10.0.0.7",
                "X-Custom",
                "v");
        RawHttpClient.Head head = client.readHead();

        assertThat(head.status()).isEqualTo(201);
        assertThat(client.readBody(head)).isEqualTo("hello");
        assertThat(config.get()).isEqualTo("cfg-value");
        assertThat(context.get()).isEqualTo(new CallContext(Optional.of(ROUTE_KEY), 42, CallContext.Phase.LANE));
        RequestView view = seen.get();
        assertThat(view.method()).isEqualTo(HttpMethod.POST);
        assertThat(view.path()).isEqualTo("/v1/chat x");
        assertThat(view.args())
                .isEqualTo(QueryArgs.of(List.of(
                        QueryArgs.Arg.of("model", "m"), QueryArgs.Arg.flag("stream"), QueryArgs.Arg.of("q", "a b"))));
        assertThat(view.header("x-custom")).contains("v");
        assertThat(view.headers().entries())
                .allSatisfy(h -> assertThat(h.name()).isLowerCase());
        assertThat(view.headers().contains(HANDOFF)).isFalse();
        assertThat(view.sourceIp()).contains(address("10.0.0.7"));
        assertThat(view.body()).contains(Body.of("{\"a\":1}"));
        assertThat(view.vars()).isEmpty();

        // keep-alive: the same connection serves the next request
        client.get("/again", HANDOFF, handoff(token));
        assertThat(client.readHead().status()).isEqualTo(201);
        assertThat(server.renderMetrics()).contains("a6_lane_requests_total{plugin=\"lane\",status=\"201\"} 2");
    }

    @Test
    void shouldHandTheRequestToTheLinkThatAskedForTheLaneWithThatLinksConfig() {
        AtomicReference<String> config = new AtomicReference<>();
        onLane.set((r, c, ctx) -> {
            config.set(c);
            return CompletableFuture.completedFuture(text(200, "second"));
        });
        TestPlugin first = TestPlugin.named("first")
                .onRequest((r, c) ->
                        RequestDecision.rewrite().setHeader("x-first", c).build())
                .build();
        RunnerServer server = startLane(first, lanePlugin);
        long token = prepare("first", "cfg-1", "lane", "cfg-2");

        String handoff = handoff(token);
        RawHttpClient client = lane(server);
        client.get("/x", HANDOFF, handoff);

        assertThat(handoff).startsWith("v1." + token + ".1.42.");
        assertThat(client.readBody(client.readHead())).isEqualTo("second");
        assertThat(config.get()).isEqualTo("cfg-2");
    }

    @Test
    void shouldRefuseARequestWithoutAValidHandoffWith403AndAProblemDocument() {
        RunnerServer server = startLane(lanePlugin);
        long token = prepare("lane", "cfg");
        RawHttpClient client = lane(server);

        client.get("/x");
        RawHttpClient.Head missing = client.readHead();
        assertThat(missing.status()).isEqualTo(403);
        assertThat(missing.header("content-type")).contains("application/problem+json");
        assertThat(client.readBody(missing)).contains("\"status\":403").contains("\"reason\":\"missing\"");

        String valid = handoff(token);
        String forged = valid.substring(0, valid.lastIndexOf('.')) + ".AAAAAAAAAAAAAAAAAAAAAA";
        client.get("/x", HANDOFF, forged);
        RawHttpClient.Head bad = client.readHead();
        String body = client.readBody(bad);
        assertThat(bad.status()).isEqualTo(403);
        assertThat(body)
                .contains("\"reason\":\"bad_mac\"")
                .doesNotContain(forged)
                .doesNotContain("AAAAAAAA");

        assertThat(laneCalls).hasValue(0);
        assertThat(server.renderMetrics())
                .contains("a6_lane_handoff_rejections_total{reason=\"missing\"} 1")
                .contains("a6_lane_handoff_rejections_total{reason=\"bad_mac\"} 1");
    }

    @Test
    void shouldRefuseAHandoffOnceItsTtlHasPassed() {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-05T10:00:00Z"));
        RunnerServer server =
                start(laneConfig(8 * 1024 * 1024), RunnerOptions.defaults().withClock(clock), lanePlugin);
        String handoff = handoff(prepare("lane", "cfg"));
        RawHttpClient client = lane(server);

        clock.advance(Duration.ofSeconds(31));
        client.get("/x", HANDOFF, handoff);

        RawHttpClient.Head head = client.readHead();
        assertThat(head.status()).isEqualTo(403);
        assertThat(client.readBody(head)).contains("\"reason\":\"expired\"");
        assertThat(laneCalls).hasValue(0);
    }

    @Test
    void shouldRefuseAHandoffWhoseRouteConfigurationTheRunnerNoLongerHolds() {
        AtomicLong nanos = new AtomicLong();
        RunnerServer server = start(laneConfig(1024), RunnerOptions.defaults().withTicker(nanos::get), lanePlugin);
        String handoff = handoff(prepare("lane", "cfg"));
        RawHttpClient client = lane(server);

        // Unused for twice APISIX's conf expire time (3600 s in the builder): the token store drops the chain.
        nanos.addAndGet(Duration.ofHours(2).plusSeconds(1).toNanos());
        client.get("/x", HANDOFF, handoff);

        RawHttpClient.Head head = client.readHead();
        assertThat(head.status()).isEqualTo(403);
        assertThat(client.readBody(head)).contains("\"reason\":\"unknown_token\"");
        assertThat(laneCalls).hasValue(0);
    }

    @Test
    void shouldStripAClientSentHandoffOnARouteThatDoesNotHandOff() {
        startLane(TestPlugin.named("plain").build());
        long token = prepare("plain", "");
        var client = connect();

        HttpReqCallResponse withCopy = (HttpReqCallResponse) client.call(requestCall(
                token,
                "/p",
                List.of(TextEntry.of("host", "example.com"), TextEntry.of(HANDOFF, "v1.1.0.1.9999999999999.forged")),
                List.of()));
        HttpReqCallResponse without = (HttpReqCallResponse) client.call(requestCall(token));

        assertThat(withCopy.action())
                .isEqualTo(new HttpReqCallResponse.Rewrite(
                        Optional.empty(), List.of(TextEntry.absent(HANDOFF)), List.of(), List.of(), Optional.empty()));
        assertThat(without.action()).isEqualTo(HttpReqCallResponse.None.INSTANCE);
    }

    @Test
    void shouldRelayEachChunkToTheClientAsThePublisherEmitsIt() {
        TestPublisher publisher = new TestPublisher();
        onLane.set((r, c, ctx) -> CompletableFuture.completedFuture(
                LaneResponse.streamed(200, Headers.of("content-type", "text/event-stream"), publisher)));
        RunnerServer server = startLane(lanePlugin);
        RawHttpClient client = lane(server);

        client.get("/stream", HANDOFF, handoff(prepare("lane", "cfg")));
        RawHttpClient.Head head = client.readHead();
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("transfer-encoding")).contains("chunked");
        assertThat(head.header("x-accel-buffering")).contains("no");
        assertThat(head.header("content-type")).contains("text/event-stream");

        await().atMost(Duration.ofSeconds(5)).until(publisher::hasDemand);
        publisher.emit("data: one\n\n");
        // The first chunk is in the client's hands before the second even exists.
        assertThat(client.readChunk()).contains("data: one\n\n");
        await().atMost(Duration.ofSeconds(5)).until(publisher::hasDemand);
        publisher.emit("data: two\n\n");
        assertThat(client.readChunk()).contains("data: two\n\n");
        publisher.complete();
        assertThat(client.readChunk()).as("the terminating chunk").contains("");

        assertThat(publisher.subscriptions()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.laneMetrics().openStreams() == 0);
        assertThat(server.renderMetrics()).contains("a6_lane_requests_total{plugin=\"lane\",status=\"200\"} 1");
    }

    @Test
    void shouldStopAskingThePublisherForMoreWhileTheClientDoesNotRead() throws Exception {
        TestPublisher publisher = new TestPublisher();
        onLane.set(
                (r, c, ctx) -> CompletableFuture.completedFuture(LaneResponse.streamed(200, Headers.EMPTY, publisher)));
        RunnerServer server = startLane(lanePlugin);
        RawHttpClient client = RawHttpClient.connect(server.laneAddress().orElseThrow(), 4096);
        clients.add(client);
        byte[] chunk = new byte[16 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');

        client.get("/stream", HANDOFF, handoff(prepare("lane", "cfg")));
        assertThat(client.readHead().status()).isEqualTo(200);
        // The client reads nothing more: emit whatever is asked for until the asking stops.
        AtomicLong lastSeen = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .during(Duration.ofMillis(500))
                .until(() -> {
                    while (publisher.hasDemand()) {
                        publisher.emit(chunk);
                    }
                    return publisher.requested() == lastSeen.getAndSet(publisher.requested());
                });
        long stalled = publisher.requested();
        assertThat(stalled * chunk.length)
                .as("bytes emitted toward a client that reads nothing")
                .isLessThan(32L * 1024 * 1024);

        // Once the client reads again, demand resumes.
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
            long bytes = 0;
            for (Optional<String> c = client.readChunk();
                    c.isPresent() && !c.get().isEmpty();
                    c = client.readChunk()) {
                bytes += c.get().length();
            }
            return bytes;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.requested() > stalled);
        publisher.complete();
        assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo(publisher.delivered() * chunk.length);
    }

    @Test
    void shouldRelayAPublisherThatEmitsInsideRequestWithoutRecursing() throws Exception {
        int chunks = 20_000;
        AtomicInteger depth = new AtomicInteger();
        AtomicInteger maxDepth = new AtomicInteger();
        // Emits synchronously from inside request(n), the pattern that overflows the stack of a subscriber that
        // requests again from onNext on the same thread.
        java.util.concurrent.Flow.Publisher<Body> eager =
                subscriber -> subscriber.onSubscribe(new java.util.concurrent.Flow.Subscription() {
                    private int sent;
                    private boolean done;

                    @Override
                    public void request(long n) {
                        maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
                        for (long i = 0; i < n && sent < chunks; i++) {
                            subscriber.onNext(Body.of("chunk " + (sent++) + "\n"));
                        }
                        if (sent == chunks && !done) {
                            done = true;
                            subscriber.onComplete();
                        }
                        depth.decrementAndGet();
                    }

                    @Override
                    public void cancel() {
                        done = true;
                    }
                });
        onLane.set((r, c, ctx) -> CompletableFuture.completedFuture(LaneResponse.streamed(200, Headers.EMPTY, eager)));
        RunnerServer server = startLane(lanePlugin);
        RawHttpClient client = lane(server);

        client.get("/many", HANDOFF, handoff(prepare("lane", "cfg")));
        client.readHead();
        int received = 0;
        for (Optional<String> c = client.readChunk(); c.isPresent() && !c.get().isEmpty(); c = client.readChunk()) {
            assertThat(c.get()).isEqualTo("chunk " + received + "\n");
            received++;
        }

        assertThat(received).isEqualTo(chunks);
        assertThat(maxDepth).hasValue(1);
    }

    @Test
    void shouldCancelTheSubscriptionWhenTheClientGoesAwayMidStream() {
        TestPublisher publisher = new TestPublisher();
        onLane.set(
                (r, c, ctx) -> CompletableFuture.completedFuture(LaneResponse.streamed(200, Headers.EMPTY, publisher)));
        RunnerServer server = startLane(lanePlugin);
        RawHttpClient client = lane(server);
        client.get("/stream", HANDOFF, handoff(prepare("lane", "cfg")));
        client.readHead();
        await().atMost(Duration.ofSeconds(5)).until(publisher::hasDemand);
        publisher.emit("one");
        assertThat(client.readChunk()).contains("one");

        client.close();

        await().atMost(Duration.ofSeconds(5)).until(publisher::cancelled);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.laneMetrics().openStreams() == 0);
        assertThat(server.renderMetrics())
                .contains("a6_lane_streams_aborted_total{cause=\"client_gone\",plugin=\"lane\"} 1");
    }

    @Test
    void shouldCancelThePluginsStageWhenTheClientGoesAwayBeforeTheHead() throws Exception {
        CompletableFuture<LaneResponse> pending = new CompletableFuture<>();
        CountDownLatch called = new CountDownLatch(1);
        onLane.set((r, c, ctx) -> {
            called.countDown();
            return pending;
        });
        RunnerServer server = startLane(lanePlugin);
        RawHttpClient client = lane(server);
        client.get("/slow", HANDOFF, handoff(prepare("lane", "cfg")));
        assertThat(called.await(5, TimeUnit.SECONDS)).isTrue();

        client.close();

        await().atMost(Duration.ofSeconds(5)).until(pending::isCancelled);
    }

    @Test
    void shouldEndTheConnectionWithoutTheLastChunkWhenThePublisherFailsAfterTheHead() {
        TestPublisher publisher = new TestPublisher();
        onLane.set(
                (r, c, ctx) -> CompletableFuture.completedFuture(LaneResponse.streamed(200, Headers.EMPTY, publisher)));
        RunnerServer server = startLane(lanePlugin);
        RawHttpClient client = lane(server);
        client.get("/stream", HANDOFF, handoff(prepare("lane", "cfg")));
        client.readHead();
        await().atMost(Duration.ofSeconds(5)).until(publisher::hasDemand);
        publisher.emit("partial");
        assertThat(client.readChunk()).contains("partial");

        publisher.fail(new IllegalStateException("provider reset the connection"));

        assertThat(client.readChunk())
                .as("no terminating chunk: the body is visibly truncated")
                .isEmpty();
        assertThat(server.renderMetrics())
                .contains("a6_lane_streams_aborted_total{cause=\"plugin_error\",plugin=\"lane\"} 1");
    }

    @Test
    void shouldAnswer502WithoutInternalsWhenThePluginFailsBeforeTheHead() {
        onLane.set((r, c, ctx) -> CompletableFuture.failedFuture(new IllegalStateException("upstream secret 42")));
        RunnerServer server = startLane(lanePlugin);
        RawHttpClient client = lane(server);

        client.get("/x", HANDOFF, handoff(prepare("lane", "cfg")));

        RawHttpClient.Head head = client.readHead();
        assertThat(head.status()).isEqualTo(502);
        assertThat(head.header("content-type")).contains("application/problem+json");
        assertThat(client.readBody(head))
                .contains("\"reason\":\"plugin_failed\"")
                .doesNotContain("IllegalStateException")
                .doesNotContain("secret");
    }

    @Test
    void shouldAnswer413WhenTheBodyExceedsTheLimit() {
        RunnerServer server = start(laneConfig(1024), RunnerOptions.defaults(), lanePlugin);
        RawHttpClient client = lane(server);

        client.send("POST", "/x", new byte[2048], HANDOFF, handoff(prepare("lane", "cfg")));

        RawHttpClient.Head head = client.readHead();
        assertThat(head.status()).isEqualTo(413);
        assertThat(client.readBody(head)).contains("\"reason\":\"body_too_large\"");
        assertThat(laneCalls).hasValue(0);
    }

    @Test
    void shouldCallABlockingPluginOnTheBlockingPool() {
        AtomicReference<String> thread = new AtomicReference<>();
        TestPlugin blocking = TestPlugin.named("slow")
                .blocking()
                .onRequest((r, c) -> RequestDecision.rewrite().toLane().build())
                .onLane((r, c, ctx) -> {
                    thread.set(Thread.currentThread().getName());
                    return CompletableFuture.completedFuture(text(200, "done"));
                })
                .build();
        RunnerServer server = startLane(blocking);
        RawHttpClient client = lane(server);

        client.get("/x", HANDOFF, handoff(prepare("slow", "")));

        RawHttpClient.Head head = client.readHead();
        assertThat(client.readBody(head)).isEqualTo("done");
        assertThat(thread.get()).startsWith("a6-blocking-");
    }

    @Test
    void shouldAnswer501ForAPluginThatDoesNotServeTheLane() {
        RunnerServer server = startLane(TestPlugin.named("old")
                .onRequest((r, c) -> RequestDecision.rewrite().toLane().build())
                .build());
        RawHttpClient client = lane(server);

        client.get("/x", HANDOFF, handoff(prepare("old", "")));

        assertThat(client.readHead().status()).isEqualTo(501);
    }

    @Test
    void shouldAnswer502WhenThePluginAnswersAHeaderThatIsNotValidHttp() {
        onLane.set((r, c, ctx) -> CompletableFuture.completedFuture(
                LaneResponse.whole(200, Headers.of("x-bad", "line\r\nset-cookie: injected"), Body.of("no"))));
        RunnerServer server = startLane(lanePlugin);
        RawHttpClient client = lane(server);

        client.get("/x", HANDOFF, handoff(prepare("lane", "cfg")));

        RawHttpClient.Head head = client.readHead();
        assertThat(head.status()).isEqualTo(502);
        assertThat(head.header("set-cookie")).isEmpty();
        assertThat(client.readBody(head)).contains("\"reason\":\"invalid_head\"");
    }

    @Test
    void shouldCloseALaneConnectionThatStaysIdleLongerThanTheIdleTimeout() {
        RunnerServer server =
                start(laneConfig(1024), RunnerOptions.defaults().withIdleTimeout(Duration.ofMillis(300)), lanePlugin);
        RawHttpClient client = lane(server);

        assertThat(client.atEof())
                .as("closed by the lane, not by the 10 s read timeout")
                .isTrue();
    }

    @Test
    void shouldLetAnOpenStreamEndWhileTheRunnerShutsDownWithinItsBudget() throws Exception {
        TestPublisher publisher = new TestPublisher();
        onLane.set(
                (r, c, ctx) -> CompletableFuture.completedFuture(LaneResponse.streamed(200, Headers.EMPTY, publisher)));
        RunnerServer server = start(
                laneConfig(8 * 1024 * 1024),
                RunnerOptions.defaults().withShutdownBudget(Duration.ofSeconds(20)),
                lanePlugin);
        InetSocketAddress address = server.laneAddress().orElseThrow();
        RawHttpClient client = lane(server);
        client.get("/stream", HANDOFF, handoff(prepare("lane", "cfg")));
        client.readHead();
        await().atMost(Duration.ofSeconds(5)).until(publisher::hasDemand);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        await().atMost(Duration.ofSeconds(5)).until(() -> !accepts(address));
        publisher.emit("last words");
        publisher.complete();

        assertThat(client.readChunk()).contains("last words");
        assertThat(client.readChunk()).as("the terminating chunk").contains("");
        closing.get(5, TimeUnit.SECONDS);
    }

    private static boolean accepts(InetSocketAddress address) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(address, 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private RunnerServer startLane(Plugin<?>... plugins) {
        return start(laneConfig(8 * 1024 * 1024), RunnerOptions.defaults(), plugins);
    }

    private RunnerConfig laneConfig(int maxBodyBytes) {
        return RunnerConfig.builder(socket())
                .laneAddress(new InetSocketAddress("127.0.0.1", 0))
                .laneMaxBodyBytes(maxBodyBytes)
                .build();
    }

    private RawHttpClient lane(RunnerServer server) {
        RawHttpClient client = RawHttpClient.connect(server.laneAddress().orElseThrow());
        clients.add(client);
        return client;
    }

    /** Plays APISIX's pre-req call and returns the handoff the runner stamped. */
    private String handoff(long token) {
        HttpReqCallResponse reply = (HttpReqCallResponse) connect().call(requestCall(token));
        return ((HttpReqCallResponse.Rewrite) reply.action())
                .headers().stream()
                        .filter(h -> h.name().equals(HANDOFF))
                        .findFirst()
                        .orElseThrow()
                        .value()
                        .orElseThrow();
    }

    private static LaneResponse text(int status, String body) {
        return LaneResponse.whole(status, Headers.of("content-type", "text/plain"), Body.of(body));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
