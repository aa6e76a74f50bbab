package org.a6suite.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.emulator.fixture.DripUpstream;
import org.a6suite.emulator.fixture.DripUpstream.Script;
import org.a6suite.emulator.fixture.FakeRunner;
import org.a6suite.emulator.fixture.StreamingClient;
import org.a6suite.emulator.fixture.StreamingClient.Piece;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.protocol.message.TextEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy as nginx runs it under APISIX, for routes whose upstream streams (the runner's HTTP lane, model providers):
 * {@code proxy_buffering on} unless the upstream sends {@code X-Accel-Buffering: no}; {@code proxy_read_timeout} between
 * two reads; the upstream connection closed when the client goes away; the request body and the runner's rewritten
 * headers forwarded; upstream connections kept alive.
 */
class StreamingProxyTest {

    private static final Duration DRIP = Duration.ofMillis(200);
    private static final List<String> CLIENT_HEADERS = List.of("Host: lane.example", "Accept: text/event-stream");

    @TempDir
    Path dir;

    DripUpstream upstream;
    FakeRunner runner;
    ApisixEmulator emulator;

    @AfterEach
    void tearDown() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (runner != null) {
            runner.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void start(Script script, Duration readTimeout) throws Exception {
        start(script, readTimeout, 1);
    }

    /**
     * {@code threads} 1 is nginx's {@code worker_processes 1}: kept-alive upstream connections are per event loop as
     * they are per worker, so only with one loop does every client connection share them.
     */
    private void start(Script script, Duration readTimeout, int threads) throws Exception {
        upstream = new DripUpstream(script);
        EmulatorUpstream up = new EmulatorUpstream(
                List.of(new EmulatorUpstream.Node("127.0.0.1", upstream.port(), 1)),
                new EmulatorUpstream.Timeout(Duration.ofSeconds(2), Duration.ofSeconds(2), readTimeout));
        emulator = ApisixEmulator.builder()
                .runnerSocket(dir.resolve("unused.sock"))
                .route(EmulatorRoute.builder("1").uri("/v1/*").upstream(up).build())
                .threads(threads)
                .build()
                .start();
    }

    private StreamingClient get() throws Exception {
        return new StreamingClient(emulator.port()).send("GET", "/v1/stream", CLIENT_HEADERS, new byte[0]);
    }

    private static List<Piece> readToEnd(StreamingClient client) throws Exception {
        List<Piece> pieces = new ArrayList<>();
        for (Piece p = client.nextChunk(); ; p = client.nextChunk()) {
            pieces.add(p);
            if (!(p instanceof Piece.Chunk)) {
                return pieces;
            }
        }
    }

    @Test
    void shouldRelayEachChunkBeforeTheUpstreamSendsTheNextWhenUpstreamDisablesBuffering() throws Exception {
        start(Script.drip(true, 5, DRIP), Duration.ofSeconds(5));
        try (StreamingClient client = get()) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.header("transfer-encoding")).contains("chunked");
            assertThat(client.header("content-type")).contains("text/event-stream");
            assertThat(client.header("x-accel-buffering")).isEmpty(); // nginx hides X-Accel-* from the client

            List<Piece> pieces = readToEnd(client);

            assertThat(pieces).hasSize(6).last().isInstanceOf(Piece.End.class);
            List<Long> written = upstream.chunkWrittenNanos();
            for (int i = 0; i < 4; i++) {
                Piece.Chunk chunk = (Piece.Chunk) pieces.get(i);
                assertThat(chunk.text()).isEqualTo("data: token-" + (i + 1) + "\n\n");
                assertThat(chunk.nanos())
                        .as("chunk %d reached the client before chunk %d left the upstream", i + 1, i + 2)
                        .isLessThan(written.get(i + 1));
            }
        }
    }

    @Test
    void shouldDeliverTheWholeBodyAtTheEndWhenUpstreamLeavesBufferingOn() throws Exception {
        Script script = Script.drip(false, 5, DRIP);
        start(script, Duration.ofSeconds(5));
        try (StreamingClient client = get()) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.header("transfer-encoding")).isEmpty();
            assertThat(client.headNanos())
                    .isGreaterThan(upstream.chunkWrittenNanos().getLast());
            assertThat(client.fixedBody()).isEqualTo(script.body());
        }
    }

    @Test
    void shouldCloseTheUpstreamConnectionPromptlyWhenTheClientGoesAwayMidStream() throws Exception {
        start(Script.drip(true, 50, DRIP), Duration.ofSeconds(5)); // 10 s of stream
        StreamingClient client = get();
        assertThat(client.nextChunk()).isInstanceOf(Piece.Chunk.class);
        long gone = System.nanoTime();

        client.close();

        await().atMost(Duration.ofSeconds(2))
                .until(() -> upstream.connectionsClosed().getFirst().isDone());
        assertThat(Duration.ofNanos(upstream.connectionsClosed().getFirst().join() - gone))
                .isLessThan(Duration.ofSeconds(1));
        assertThat(upstream.chunkWrittenNanos().size()).isLessThan(50);
    }

    @Test
    void shouldEndTheResponseWithoutItsLastChunkWhenTheUpstreamIsSilentLongerThanTheReadTimeout() throws Exception {
        start(Script.drip(true, 5, Duration.ofMillis(50)).silentAfter(2), Duration.ofMillis(500));
        try (StreamingClient client = get()) {
            List<Piece> pieces = readToEnd(client);

            assertThat(pieces).hasSize(3);
            assertThat(pieces.get(2)).as("truncated, never a clean end").isInstanceOf(Piece.Closed.class);
            Duration silence = Duration.ofNanos(
                    pieces.get(2) instanceof Piece.Closed c ? c.nanos() - ((Piece.Chunk) pieces.get(1)).nanos() : 0);
            assertThat(silence).isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> upstream.connectionsClosed().getFirst().isDone());
        }
    }

    @Test
    void shouldServeAStreamLongerThanTheReadTimeoutWhenEachChunkComesInTime() throws Exception {
        Script script = Script.drip(true, 5, Duration.ofMillis(250)); // 1 s in all, 250 ms gaps
        start(script, Duration.ofMillis(600));
        try (StreamingClient client = get()) {
            List<Piece> pieces = readToEnd(client);

            assertThat(pieces).hasSize(6).last().isInstanceOf(Piece.End.class);
            assertThat(pieces.stream()
                            .filter(p -> p instanceof Piece.Chunk)
                            .map(p -> ((Piece.Chunk) p).text())
                            .reduce("", String::concat))
                    .isEqualTo(script.body());
        }
    }

    @Test
    void shouldForwardThePostBodyAndTheHeadersTheRunnersRewriteSetToTheUpstream() throws Exception {
        AtomicInteger tokens = new AtomicInteger();
        runner = new FakeRunner(dir.resolve("runner.sock"), (conn, m) -> handoff(tokens, m));
        upstream = new DripUpstream(Script.drip(true, 2, DRIP));
        emulator = ApisixEmulator.builder()
                .runnerSocket(dir.resolve("runner.sock"))
                .route(EmulatorRoute.builder("1")
                        .uri("/v1/*")
                        .preReq(ExtPluginConf.of(ExtPluginConf.Entry.of("ai-gateway", "{}")))
                        .upstream("127.0.0.1", upstream.port())
                        .build())
                .build()
                .start();
        byte[] body = "{\"stream\":true}".getBytes(StandardCharsets.UTF_8);

        try (StreamingClient client = new StreamingClient(emulator.port())
                .send(
                        "POST",
                        "/v1/chat",
                        List.of(
                                "Host: lane.example",
                                "Content-Type: application/json",
                                "Content-Length: " + body.length),
                        body)) {
            assertThat(readToEnd(client)).last().isInstanceOf(Piece.End.class);
        }

        DripUpstream.Received got = upstream.received().getFirst();
        assertThat(got.requestLine()).isEqualTo("POST /v1/chat HTTP/1.1");
        assertThat(got.header("x-a6-lane")).contains("handoff-1");
        assertThat(got.header("content-length")).contains(String.valueOf(body.length));
        assertThat(new String(got.body(), StandardCharsets.UTF_8)).isEqualTo("{\"stream\":true}");
    }

    private static byte[] handoff(AtomicInteger tokens, A6Message m) {
        return switch (m) {
            case PrepareConfRequest p -> FakeRunner.frame(new PrepareConfResponse(tokens.incrementAndGet()));
            case HttpReqCallRequest r ->
                FakeRunner.frame(new HttpReqCallResponse(
                        r.id(),
                        new HttpReqCallResponse.Rewrite(
                                Optional.empty(),
                                List.of(TextEntry.of("x-a6-lane", "handoff-1")),
                                List.of(),
                                List.of(),
                                Optional.empty())));
            default -> null;
        };
    }

    @Test
    void shouldDropUpstreamTrailersAsNginxDoesWithoutProxyPassTrailers() throws Exception {
        start(
                Script.drip(true, 2, Duration.ofMillis(20)).withTrailers("X-Usage-Total-Tokens: 42"),
                Duration.ofSeconds(5));
        try (StreamingClient client = get()) {
            assertThat(client.header("trailer")).isEmpty();
            List<Piece> pieces = readToEnd(client);

            assertThat(pieces)
                    .last()
                    .isInstanceOfSatisfying(
                            Piece.End.class, end -> assertThat(end.trailers()).isEmpty());
        }
    }

    @Test
    void shouldOpenANewUpstreamConnectionWhenTheUpstreamClosedTheKeptAliveOne() throws Exception {
        start(Script.drip(true, 2, Duration.ofMillis(20)), Duration.ofSeconds(5));
        try (StreamingClient client = get()) {
            assertThat(readToEnd(client)).last().isInstanceOf(Piece.End.class);
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> upstream.received().size() == 1);

        upstream.closeConnections();

        try (StreamingClient client = get()) {
            assertThat(client.status()).isEqualTo(200);
            assertThat(readToEnd(client)).last().isInstanceOf(Piece.End.class);
        }
        assertThat(upstream.received()).hasSize(2);
        assertThat(upstream.received().getLast().connection()).isEqualTo(2);
    }

    @Test
    void shouldKeepUpstreamConnectionsPerEventLoopAsNginxKeepsThemPerWorker() throws Exception {
        // two loops; client connections are handed to them in turn, so the 1st and 3rd share a loop, the 2nd has the
        // other: each request goes out on a kept-alive connection of its own loop, never on the other loop's
        start(Script.drip(false, 2, Duration.ofMillis(1)), Duration.ofSeconds(5), 2);
        for (int i = 0; i < 3; i++) {
            try (StreamingClient client = get()) {
                assertThat(client.status()).isEqualTo(200);
                client.fixedBody();
            }
            int expected = i + 1;
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> upstream.received().size() == expected);
        }
        assertThat(upstream.received())
                .extracting(DripUpstream.Received::connection)
                .containsExactly(1, 2, 1);
    }

    @Test
    void shouldReuseTheUpstreamConnectionForTheNextRequest() throws Exception {
        start(Script.drip(true, 2, Duration.ofMillis(20)), Duration.ofSeconds(5));
        for (int i = 0; i < 3; i++) {
            try (StreamingClient client = get()) {
                assertThat(readToEnd(client)).last().isInstanceOf(Piece.End.class);
            }
        }
        upstream.script(Script.drip(false, 2, Duration.ofMillis(20)));
        try (StreamingClient client = get()) {
            assertThat(client.fixedBody())
                    .isEqualTo(Script.drip(false, 2, Duration.ofMillis(20)).body());
        }

        assertThat(upstream.received())
                .hasSize(4)
                .allSatisfy(r -> assertThat(r.connection()).isEqualTo(1));
        assertThat(upstream.received().getFirst().header("connection")).isEmpty(); // HTTP/1.1 keep-alive
    }
}
