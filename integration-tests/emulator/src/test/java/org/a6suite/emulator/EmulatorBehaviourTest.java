package org.a6suite.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.emulator.fixture.FakeRunner;
import org.a6suite.emulator.fixture.RawHttp;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.testing.backend.EchoBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pool, token, retry, timeout and degradation behaviour of the emulator, each tied to the reference section. */
class EmulatorBehaviourTest {

    @TempDir
    Path dir;

    EchoBackend backend;
    FakeRunner runner;
    ApisixEmulator emulator;
    final AtomicInteger tokens = new AtomicInteger(100);

    @BeforeEach
    void setUp() {
        backend = EchoBackend.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (runner != null) {
            runner.close();
        }
        backend.close();
    }

    private Path socket() {
        return dir.resolve("runner.sock");
    }

    /** A runner that issues a fresh token per PrepareConf and answers every call with NONE. */
    private byte[] noopRunner(int conn, A6Message m) {
        return switch (m) {
            case PrepareConfRequest p -> FakeRunner.frame(new PrepareConfResponse(tokens.incrementAndGet()));
            case HttpReqCallRequest r ->
                FakeRunner.frame(new HttpReqCallResponse(r.id(), HttpReqCallResponse.None.INSTANCE));
            default -> null;
        };
    }

    private ApisixEmulator start(ExtPluginConf conf, Duration readTimeout) {
        EmulatorRoute route = EmulatorRoute.builder("7")
                .uri("/t/*")
                .preReq(conf)
                .upstream("127.0.0.1", backend.port())
                .build();
        emulator = ApisixEmulator.builder()
                .runnerSocket(socket())
                .route(route)
                .readTimeout(readTimeout)
                // one worker (nginx's worker_processes 1): runner connections are pooled per event loop as APISIX
                // pools them per worker, so only with one loop do all client connections share the pool (§4)
                .threads(1)
                .build()
                .start();
        return emulator;
    }

    private RawHttp.Response get(String target) throws Exception {
        return RawHttp.send(
                emulator.port(), RawHttp.request("GET", target, List.of("Host: t.example"), new byte[0]), false);
    }

    @Test
    void shouldSendPrepareConfOnItsOwnConnectionAndReuseTheCallConnection_ref4() throws Exception {
        runner = new FakeRunner(socket(), this::noopRunner);
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")), Duration.ofSeconds(5));

        assertThat(get("/t/a").status()).isEqualTo(200);
        assertThat(get("/t/b").status()).isEqualTo(200);

        List<FakeRunner.Received> got = runner.received();
        assertThat(got).hasSize(3);
        assertThat(got.get(0).message()).isInstanceOf(PrepareConfRequest.class);
        assertThat(((PrepareConfRequest) got.get(0).message()).key()).contains("route#7#ext-plugin-pre-req#1");
        assertThat(got.get(1).connection()).isNotEqualTo(got.get(0).connection());
        // the token is cached per (route, plugin, version) and the call connection is pooled and reused
        assertThat(got.get(2).connection()).isEqualTo(got.get(1).connection());
        assertThat(((HttpReqCallRequest) got.get(2).message()).confToken()).isEqualTo(101);
    }

    @Test
    void shouldRePrepareAfterPutRouteBumpsTheVersion_s07() throws Exception {
        runner = new FakeRunner(socket(), this::noopRunner);
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")), Duration.ofSeconds(5));
        get("/t/a");
        emulator.putRoute(EmulatorRoute.builder("7")
                .uri("/t/*")
                .preReq(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v2")))
                .upstream("127.0.0.1", backend.port())
                .build());
        get("/t/a");
        List<String> keys = runner.received().stream()
                .filter(r -> r.message() instanceof PrepareConfRequest)
                .map(r -> ((PrepareConfRequest) r.message()).key().orElseThrow())
                .toList();
        assertThat(keys).containsExactly("route#7#ext-plugin-pre-req#1", "route#7#ext-plugin-pre-req#2");
    }

    @Test
    void shouldDropAConnectionWithUnreadBytesAfterTheReply_ref8_s14() throws Exception {
        // the official runner writes PrepareConf replies and some call replies twice (transcripts s01, s14)
        runner = new FakeRunner(socket(), (conn, m) -> switch (m) {
            case PrepareConfRequest p ->
                FakeRunner.frames(
                        FakeRunner.frame(new PrepareConfResponse(5)), FakeRunner.frame(new PrepareConfResponse(5)));
            case HttpReqCallRequest r ->
                FakeRunner.frames(
                        FakeRunner.frame(new HttpReqCallResponse(r.id(), HttpReqCallResponse.None.INSTANCE)),
                        FakeRunner.frame(new HttpReqCallResponse(r.id(), HttpReqCallResponse.None.INSTANCE)));
            default -> null;
        });
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")), Duration.ofSeconds(5));

        for (int i = 0; i < 3; i++) {
            assertThat(get("/t/" + i).status()).isEqualTo(200);
        }
        // every call connection and the PrepareConf connection were dropped, never reused
        List<FakeRunner.Received> got = runner.received();
        assertThat(got.stream().map(FakeRunner.Received::connection).distinct()).hasSize(4);
        assertThat(emulator.runnerConnectionsDropped()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void shouldRetryOnErr2OnNewConnectionsAndSucceed_ref4_s08() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        runner = new FakeRunner(socket(), (conn, m) -> switch (m) {
            case PrepareConfRequest p -> FakeRunner.frame(new PrepareConfResponse(tokens.incrementAndGet()));
            case HttpReqCallRequest r ->
                calls.incrementAndGet() == 1
                        ? FakeRunner.frame(new ErrorResponse(ErrorResponse.Code.CONF_TOKEN_NOT_FOUND))
                        : FakeRunner.frame(new HttpReqCallResponse(r.id(), HttpReqCallResponse.None.INSTANCE));
            default -> null;
        });
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")), Duration.ofSeconds(5));

        assertThat(get("/t/a").status()).isEqualTo(200);
        List<FakeRunner.Received> got = runner.received();
        assertThat(got)
                .extracting(r -> r.message().getClass().getSimpleName())
                .containsExactly(
                        "PrepareConfRequest", "HttpReqCallRequest", "PrepareConfRequest", "HttpReqCallRequest");
        // the retry runs on new connections, and with the new token
        assertThat(got.get(3).connection()).isNotEqualTo(got.get(1).connection());
        assertThat(got.get(2).connection())
                .isNotIn(got.get(0).connection(), got.get(1).connection());
        assertThat(((HttpReqCallRequest) got.get(3).message()).confToken()).isEqualTo(102);
        assertThat(backend.requests()).hasSize(1);
    }

    @Test
    void shouldGive503AfterThreeErr2EvenWithAllowDegradation_ref4() throws Exception {
        runner = new FakeRunner(socket(), (conn, m) -> switch (m) {
            case PrepareConfRequest p -> FakeRunner.frame(new PrepareConfResponse(tokens.incrementAndGet()));
            case HttpReqCallRequest r -> FakeRunner.frame(new ErrorResponse(ErrorResponse.Code.CONF_TOKEN_NOT_FOUND));
            default -> null;
        });
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")).withAllowDegradation(true), Duration.ofSeconds(5));

        RawHttp.Response r = get("/t/a");
        assertThat(r.status()).isEqualTo(503);
        assertThat(runner.received().stream().filter(x -> x.message() instanceof HttpReqCallRequest))
                .hasSize(3);
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void shouldAnswer503WhenTheRunnerDoesNotReplyWithinTheReadTimeout_ref4() throws Exception {
        runner = new FakeRunner(
                socket(),
                (conn, m) -> m instanceof PrepareConfRequest ? FakeRunner.frame(new PrepareConfResponse(9)) : null);
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")), Duration.ofMillis(300));

        long start = System.nanoTime();
        RawHttp.Response r = get("/t/a");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void shouldPassThroughUnchangedOnTimeoutWithAllowDegradation_ref4_s09() throws Exception {
        runner = new FakeRunner(
                socket(),
                (conn, m) -> m instanceof PrepareConfRequest ? FakeRunner.frame(new PrepareConfResponse(9)) : null);
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")).withAllowDegradation(true), Duration.ofMillis(300));

        assertThat(get("/t/a?x=1").status()).isEqualTo(200);
        assertThat(backend.requests())
                .singleElement()
                .satisfies(req -> assertThat(req.target()).isEqualTo("/t/a?x=1"));
    }

    @Test
    void shouldAnswer503OrPassThroughWhenTheRunnerSocketIsMissing_s09() throws Exception {
        // no runner at all: connect() fails with ENOENT
        EmulatorRoute nodeg = EmulatorRoute.builder("90")
                .uri("/s9nodeg/*")
                .preReq(ExtPluginConf.of(ExtPluginConf.Entry.of("ProbeRewrite", "/echo/x")))
                .upstream("127.0.0.1", backend.port())
                .build();
        EmulatorRoute deg = EmulatorRoute.builder("9")
                .uri("/s9/*")
                .preReq(ExtPluginConf.of(ExtPluginConf.Entry.of("ProbeRewrite", "/echo/x"))
                        .withAllowDegradation(true))
                .upstream("127.0.0.1", backend.port())
                .build();
        emulator = ApisixEmulator.builder()
                .runnerSocket(socket())
                .route(nodeg)
                .route(deg)
                .build()
                .start();

        RawHttp.Response down = get("/s9nodeg/c?x=1");
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.statusLine()).isEqualTo("HTTP/1.1 503 Service Temporarily Unavailable");
        assertThat(down.body()).hasSize(269);
        RawHttp.Response degraded = get("/s9/c?x=1");
        assertThat(degraded.status()).isEqualTo(200);
        assertThat(backend.requests())
                .singleElement()
                .satisfies(req -> assertThat(req.target()).isEqualTo("/s9/c?x=1"));
    }

    @Test
    void shouldKeepAtMostPoolSizeIdleConnections_ref4() throws Exception {
        runner = new FakeRunner(socket(), this::noopRunner);
        EmulatorRoute route = EmulatorRoute.builder("7")
                .uri("/t/*")
                .preReq(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")))
                .upstream("127.0.0.1", backend.port())
                .build();
        emulator = ApisixEmulator.builder()
                .runnerSocket(socket())
                .route(route)
                .poolSize(1)
                .threads(1) // the pool is per event loop, as APISIX's is per worker
                .build()
                .start();
        get("/t/a");
        get("/t/b");
        assertThat(emulator.runnerConnectionsIdle()).isEqualTo(1);
    }

    @Test
    void shouldFailPostRespWith503AndTheUpstreamBodyOnAnUnexpectedType_s14() throws Exception {
        runner = new FakeRunner(socket(), (conn, m) -> switch (m) {
            case PrepareConfRequest p -> FakeRunner.frame(new PrepareConfResponse(3));
            // a stale HTTPReqCall reply where the HTTPRespCall reply should be: "unexpected type 2"
            case HttpRespCallRequest r ->
                FakeRunner.frame(new HttpReqCallResponse(0, HttpReqCallResponse.None.INSTANCE));
            default -> null;
        });
        EmulatorRoute route = EmulatorRoute.builder("14")
                .uri("/s14/*")
                .postResp(ExtPluginConf.of(ExtPluginConf.Entry.of("TapReqBodyOnly", "y")))
                .upstream("127.0.0.1", backend.port())
                .build();
        emulator = ApisixEmulator.builder()
                .runnerSocket(socket())
                .route(route)
                .build()
                .start();

        RawHttp.Response r = RawHttp.send(
                emulator.port(),
                RawHttp.request(
                        "POST",
                        "/s14/a",
                        List.of("Host: 127.0.0.1:9080", "Content-Length: 6"),
                        "body-1".getBytes(StandardCharsets.UTF_8)),
                false);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(r.headers("Set-Cookie")).isEmpty();
        assertThat(r.bodyText()).contains("\"body\":\"body-1\"");
        assertThat(backend.requests()).hasSize(1);
    }

    @Test
    void shouldAnswer500WithoutAnyCallFrameForAMethodOutsideTheEnum_s15() throws Exception {
        runner = new FakeRunner(socket(), this::noopRunner);
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("ProbeNoop", "n")), Duration.ofSeconds(5));
        get("/t/warm"); // token cached, as in s15 where route 12 was already prepared
        runner.clear();

        RawHttp.Response r = RawHttp.send(
                emulator.port(),
                RawHttp.request("PURGE", "/t/purge", List.of("Host: 127.0.0.1:9080"), new byte[0]),
                false);
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.header("Connection")).contains("close");
        assertThat(r.body()).hasSize(249);
        assertThat(runner.received()).isEmpty();
        await().atMost(Duration.ofSeconds(2)).until(() -> backend.requests().size() == 1);
    }

    @Test
    void shouldReadRoutesFromApisixJsonWithWeightedNodes() {
        EmulatorRoute r = EmulatorRoute.fromJson("3", """
                {"uri":"/a/*","methods":["GET","post"],
                 "plugins":{"ext-plugin-post-resp":{"conf":[{"name":"X","value":"1"}],"allow_degradation":true}},
                 "upstream":{"nodes":[{"host":"127.0.0.1","port":1980,"weight":2}],
                             "timeout":{"connect":0.5,"send":2,"read":3}}}""");
        assertThat(r.methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(r.plugin(ExtPluginConf.Phase.POST_RESP)).hasValueSatisfying(c -> {
            assertThat(c.allowDegradation()).isTrue();
            assertThat(c.conf()).containsExactly(ExtPluginConf.Entry.of("X", "1"));
        });
        assertThat(r.upstream().nodes()).containsExactly(new EmulatorUpstream.Node("127.0.0.1", 1980, 2));
        assertThat(r.upstream().timeout().connect()).isEqualTo(Duration.ofMillis(500));
        assertThat(r.matches("GET", "/a/b")).isTrue();
        assertThat(r.matches("PUT", "/a/b")).isFalse();
        assertThat(Optional.of(r.uri())).contains("/a/*");
        assertThat(Files.exists(dir)).isTrue();
    }

    @Test
    void shouldAnswer504WhenTheUpstreamHangsPastTheRouteReadTimeoutAnd502OnReset() throws Exception {
        EmulatorRoute route = EmulatorRoute.builder("8")
                .uri("/u/*")
                .upstream(new EmulatorUpstream(
                        List.of(new EmulatorUpstream.Node("127.0.0.1", backend.port(), 1)),
                        new EmulatorUpstream.Timeout(
                                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(300))))
                .build();
        emulator = ApisixEmulator.builder()
                .runnerSocket(socket())
                .route(route)
                .build()
                .start();

        backend.fault(org.a6suite.testing.backend.Fault.hang());
        RawHttp.Response hung = get("/u/a");
        assertThat(hung.statusLine()).isEqualTo("HTTP/1.1 504 Gateway Time-out");

        backend.fault(org.a6suite.testing.backend.Fault.reset());
        assertThat(get("/u/b").status()).isEqualTo(502);

        backend.fault(org.a6suite.testing.backend.Fault.status(500));
        RawHttp.Response failing = get("/u/c");
        assertThat(failing.status()).isEqualTo(500);
        assertThat(failing.header("Server")).contains("APISIX/3.18.0");
        assertThat(backend.requests()).hasSize(3);
    }

    @Test
    void shouldApplyRewriteArgsDeleteAndAppendThenReserializeTheWholeQuery_ref6() throws Exception {
        runner = new FakeRunner(socket(), (conn, m) -> switch (m) {
            case PrepareConfRequest p -> FakeRunner.frame(new PrepareConfResponse(1));
            case HttpReqCallRequest r ->
                FakeRunner.frame(new HttpReqCallResponse(
                        r.id(),
                        new HttpReqCallResponse.Rewrite(
                                Optional.empty(),
                                List.of(
                                        org.a6suite.protocol.message.TextEntry.of("X-A", "1"),
                                        org.a6suite.protocol.message.TextEntry.of("x-a", "2"),
                                        org.a6suite.protocol.message.TextEntry.absent("X-Gone"),
                                        org.a6suite.protocol.message.TextEntry.of("Host", "up.example")),
                                List.of(
                                        org.a6suite.protocol.message.TextEntry.of("b", "x y"),
                                        org.a6suite.protocol.message.TextEntry.of("b", "z"),
                                        org.a6suite.protocol.message.TextEntry.absent("c")),
                                List.of(
                                        org.a6suite.protocol.message.TextEntry.of("X-Resp", "r"),
                                        org.a6suite.protocol.message.TextEntry.of("Content-Type", "bad")),
                                Optional.empty())));
            default -> null;
        });
        start(ExtPluginConf.of(ExtPluginConf.Entry.of("P", "v")), Duration.ofSeconds(5));

        RawHttp.Response r = RawHttp.send(
                emulator.port(),
                RawHttp.request(
                        "GET", "/t/p?a=1&b=0&c=3", List.of("Host: t.example", "X-Gone: g", "X-A: 0"), new byte[0]),
                false);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-Resp")).contains("r");
        assertThat(r.header("Content-Type")).contains("application/json"); // content-type is excluded (ref 6)
        var got = backend.requests().getFirst();
        assertThat(got.target()).isEqualTo("/t/p?a=1&b=x%20y&b=z");
        assertThat(got.headers("X-A")).containsExactly("2");
        assertThat(got.header("X-Gone")).isEmpty();
        assertThat(got.header("Host")).contains("up.example");
    }
}
