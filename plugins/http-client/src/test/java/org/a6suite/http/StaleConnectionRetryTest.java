package org.a6suite.http;

import static org.a6suite.http.OutboundClientTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.a6suite.http.OutboundException.Kind;
import org.a6suite.http.internal.DefaultOutboundClient;
import org.a6suite.http.support.LoopbackHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StaleConnectionRetryTest {

    private final OutboundClient client = newClient(OutboundClientConfig.DEFAULT);
    private LoopbackHttpServer server;

    /** The client under test; {@code IoUringLoopsTest} runs these tests again on io_uring event loops. */
    OutboundClient newClient(OutboundClientConfig config) {
        return OutboundClient.of(config);
    }

    /** A one-loop group of the transport under test, which the test holds and shuts down itself. */
    EventLoopGroup newHeldGroup() {
        return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldCompleteEveryPostButOneCrossingTheServersCloseWhenServerKeepAliveIsShorterThanThePoolIdleTimeout()
            throws Exception {
        // Like an upstream met in a real deployment: a 1 s keep-alive, below our 4 s pool idle timeout, so the client
        // meets connections the server has closed or is closing right now.
        server = LoopbackHttpServer.start(Duration.ofSeconds(1), (req, conn) -> conn.respond(200, req.bodyText()));
        int calls = 1000;
        int boundaryGaps = 16;
        int callsPerGap = calls / boundaryGaps;
        Map<Integer, Throwable> failures = new TreeMap<>();
        List<String> wrongAnswers = new ArrayList<>();

        for (int i = 0; i < calls; i++) {
            if (i % callsPerGap == callsPerGap - 1) {
                // The pause is the input under test, not a wait for a condition: 16 gaps spread evenly over
                // 0.9 s to 1.1 s, across the server's 1 s keep-alive.
                long k = i / callsPerGap;
                LockSupport.parkNanos(
                        Duration.ofMillis(900 + k * 200 / (boundaryGaps - 1)).toNanos());
            }
            String id = "call-" + i;
            try {
                OutboundResponse response = client.send(OutboundRequest.builder("POST", server.uri("/mcp"))
                                .body(id.getBytes(StandardCharsets.UTF_8))
                                .build())
                        .get(10, TimeUnit.SECONDS);
                String echoed = new String(response.aggregate(100).get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
                if (response.status() != 200 || !echoed.equals(id)) {
                    wrongAnswers.add(id + ": " + response.status() + " " + echoed);
                }
            } catch (ExecutionException e) {
                failures.put(i, e.getCause());
            }
        }

        assertThat(wrongAnswers).isEmpty();
        // What the protocol leaves open (RFC 9112 section 9.3.1): a server may close an idle connection just as the
        // client sends a request on it. The client drops connections it has seen closed and re-sends requests it
        // had not written, but a POST that left before the close was seen cannot be re-sent: the client cannot tell
        // whether the server read it (section 9.3.1.1). That window is microseconds on an idle machine; on a loaded
        // one, where the event loop waits for a CPU while the server's FIN is already in its socket, it has been
        // seen to catch about one POST in a run. So a failure is allowed, but only that one, and only there:
        // the first POST after a pause, on a reused connection, closed before any response byte, not retried.
        assertThat(failures).as(client.metrics().toString()).allSatisfy((index, error) -> {
            assertThat(index % callsPerGap)
                    .as("call-%d is the first after a pause", index)
                    .isEqualTo(callsPerGap - 1);
            assertThat(error)
                    .isInstanceOfSatisfying(
                            OutboundException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.CONNECTION_CLOSED_BEFORE_RESPONSE))
                    .hasMessageContaining(" before any response (on a reused connection; not retried: POST is not"
                            + " idempotent and the request had been sent");
        });
        // Every POST that completed reached the application exactly once (every retry was of a request that had not
        // been sent), and no failed one reached it: this server closes only connections on which it is waiting for
        // a request, so a POST it had read would have been answered.
        Map<String, Long> seen = server.requests().stream()
                .collect(Collectors.groupingBy(LoopbackHttpServer.Request::bodyText, Collectors.counting()));
        assertThat(seen)
                .hasSize(calls - failures.size())
                .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1))
                .doesNotContainKeys(
                        failures.keySet().stream().map(i -> "call-" + i).toArray(String[]::new));
        assertThat(client.metrics().retriesOfIdempotentRequests()).isZero();
        // Gaps past 1 s met closed connections; each was dropped unused, had its request re-sent unsent, or (the
        // race above) failed the POST it carried; either way the next call opened a new connection. A client that
        // reused closed connections blindly would fail a POST at each of those gaps and handle none.
        long handled =
                client.metrics().staleConnectionsDiscarded() + client.metrics().retriesOfUnsentRequests();
        assertThat(handled).isGreaterThanOrEqualTo(boundaryGaps / 4);
        assertThat(client.metrics().connectionsOpened()).isEqualTo(1 + handled + failures.size());
    }

    @Test
    void shouldRetryPostOnFreshConnectionWhenTheReusedOneWasResetBeforeTheRequestWentOut() throws Exception {
        CountDownLatch resetNow = new CountDownLatch(1);
        CountDownLatch wasReset = new CountDownLatch(1);
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.respond(200, "c" + req.connection());
            if (req.connection() == 1) {
                resetNow.await();
                conn.reset();
                wasReset.countDown();
            }
        });
        // Our own event loop, so the test can hold it while the server resets the pooled connection: the client
        // then takes a connection it still believes open, the race this retry exists for, made deterministic.
        EventLoopGroup group = newHeldGroup();
        try (OutboundClient held = new DefaultOutboundClient(OutboundClientConfig.DEFAULT, group)) {
            held.send(OutboundRequest.get(server.uri("/warm-up")))
                    .get(5, TimeUnit.SECONDS)
                    .aggregate(10)
                    .get(5, TimeUnit.SECONDS);
            CountDownLatch loopHeld = new CountDownLatch(1);
            CountDownLatch releaseLoop = new CountDownLatch(1);
            group.next().execute(() -> {
                loopHeld.countDown();
                awaitQuietly(releaseLoop);
            });
            assertThat(loopHeld.await(5, TimeUnit.SECONDS)).isTrue();
            resetNow.countDown();
            assertThat(wasReset.await(5, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<OutboundResponse> call =
                    held.send(OutboundRequest.builder("POST", server.uri("/tools/call"))
                            .body("once".getBytes(StandardCharsets.UTF_8))
                            .build());
            releaseLoop.countDown();

            assertThat(call.get(5, TimeUnit.SECONDS).aggregate(10).get(5, TimeUnit.SECONDS))
                    .asString()
                    .isEqualTo("c2");
            assertThat(held.metrics().connectionsReused()).isEqualTo(1);
            assertThat(held.metrics().retriesOfUnsentRequests()).isEqualTo(1);
            assertThat(held.metrics().retriesOfIdempotentRequests()).isZero();
            assertThat(server.requests())
                    .extracting(LoopbackHttpServer.Request::bodyText)
                    .containsOnlyOnce("once");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldFailPostUnretriedWhenItWentOutOnAConnectionWhoseCloseTheEventLoopHadNotSeenYet() throws Exception {
        CountDownLatch closeNow = new CountDownLatch(1);
        CountDownLatch wasClosed = new CountDownLatch(1);
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.respond(200, "c" + req.connection());
            if (req.connection() == 1) {
                closeNow.await();
                conn.close(); // a FIN, as a keep-alive timer sends it
                wasClosed.countDown();
            }
        });
        // The race the 1,000-POST test meets under load, made deterministic: the server's FIN is in the client's
        // socket, but the event loop (held here, busy or waiting for a CPU there) has not read it when the POST is
        // written. The write succeeds, so the client cannot know the server never read the POST, and must not
        // re-send it (RFC 9112 section 9.3.1.1): it fails, saying why.
        EventLoopGroup group = newHeldGroup();
        try (OutboundClient held = new DefaultOutboundClient(OutboundClientConfig.DEFAULT, group)) {
            held.send(OutboundRequest.get(server.uri("/warm-up")))
                    .get(5, TimeUnit.SECONDS)
                    .aggregate(10)
                    .get(5, TimeUnit.SECONDS);
            CountDownLatch loopHeld = new CountDownLatch(1);
            CountDownLatch releaseLoop = new CountDownLatch(1);
            group.next().execute(() -> {
                loopHeld.countDown();
                awaitQuietly(releaseLoop);
            });
            assertThat(loopHeld.await(5, TimeUnit.SECONDS)).isTrue();
            closeNow.countDown();
            assertThat(wasClosed.await(5, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<OutboundResponse> call =
                    held.send(OutboundRequest.builder("POST", server.uri("/tools/call"))
                            .body("once".getBytes(StandardCharsets.UTF_8))
                            .build());
            releaseLoop.countDown();

            OutboundException error = failure(call);
            assertThat(error.kind()).isEqualTo(Kind.CONNECTION_CLOSED_BEFORE_RESPONSE);
            assertThat(error)
                    .hasMessageContaining(" before any response (on a reused connection; not retried: POST is not"
                            + " idempotent and the request had been sent, so the server may have processed it)");
            assertThat(held.metrics().retries()).isZero();
            assertThat(server.requests())
                    .extracting(LoopbackHttpServer.Request::method)
                    .containsExactly("GET");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldRetryIdempotentGetOnceOnFreshConnectionWhenReusedOneClosesWithoutAnswer() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            if (req.connection() == 1 && req.indexOnConnection() == 2) {
                conn.close(); // read the request, then closed: like a keep-alive timer firing as it arrived
            } else {
                conn.respond(200, "c" + req.connection());
            }
        });
        get("/first");

        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/second"))).get(5, TimeUnit.SECONDS);

        assertThat(response.aggregate(10).get(5, TimeUnit.SECONDS)).asString().isEqualTo("c2");
        assertThat(client.metrics().retriesOfIdempotentRequests()).isEqualTo(1);
        assertThat(client.metrics().retriesOfUnsentRequests()).isZero();
    }

    @Test
    void shouldNotRetryPostThatServerResetAfterReadingIt() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            if (req.method().equals("POST")) {
                conn.reset(); // read, maybe processed, then reset before answering
            } else {
                conn.respond(200, "ok");
            }
        });
        get("/warm-up"); // so the POST goes out on a reused connection, where a retry would be considered

        OutboundException error = failure(client.send(OutboundRequest.builder("POST", server.uri("/tools/call"))
                .body("{}".getBytes(StandardCharsets.UTF_8))
                .build()));

        assertThat(error.kind()).isEqualTo(Kind.CONNECTION_CLOSED_BEFORE_RESPONSE);
        assertThat(error)
                .hasMessage("connection reset by 127.0.0.1:" + server.port() + " before any response"
                        + " (on a reused connection; not retried: POST is not idempotent and the request had been sent,"
                        + " so the server may have processed it)");
        assertThat(client.metrics().retries()).isZero();
        assertThat(server.requests())
                .extracting(LoopbackHttpServer.Request::method)
                .containsExactly("GET", "POST");
    }

    @Test
    void shouldRetryPostMarkedIdempotent() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            if (req.connection() == 1 && req.indexOnConnection() == 2) {
                conn.reset();
            } else {
                conn.respond(200, "ok");
            }
        });
        get("/warm-up");

        OutboundResponse response = client.send(OutboundRequest.builder("POST", server.uri("/charge"))
                        .header("Idempotency-Key", "k-1")
                        .idempotent(true)
                        .build())
                .get(5, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(200);
        assertThat(client.metrics().retriesOfIdempotentRequests()).isEqualTo(1);
    }

    @Test
    void shouldNotRetryOnFreshConnection() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> conn.close());

        OutboundException error = failure(client.send(OutboundRequest.get(server.uri("/"))));

        assertThat(error).hasMessage("connection closed by 127.0.0.1:" + server.port() + " before any response");
        assertThat(client.metrics().retries()).isZero();
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void shouldNotRetryAfterAResponseByteArrived() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            if (req.indexOnConnection() == 2) {
                conn.write("HTTP/1.1 200");
                conn.close();
            } else {
                conn.respond(200, "ok");
            }
        });
        get("/warm-up");

        OutboundException error = failure(client.send(OutboundRequest.get(server.uri("/"))));

        assertThat(error.kind()).isEqualTo(Kind.CONNECTION_CLOSED_BEFORE_RESPONSE);
        assertThat(error)
                .hasMessage("connection closed by 127.0.0.1:" + server.port()
                        + " after 12 bytes, before the end of the response head");
        assertThat(client.metrics().retries()).isZero();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void get(String path) throws Exception {
        client.send(OutboundRequest.get(server.uri(path)))
                .get(5, TimeUnit.SECONDS)
                .aggregate(100)
                .get(5, TimeUnit.SECONDS);
    }
}
