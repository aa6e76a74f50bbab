package org.a6suite.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.http.OutboundException.Kind;
import org.a6suite.http.internal.DefaultOutboundClient;
import org.a6suite.http.support.Bodies.ManualSubscriber;
import org.a6suite.http.support.LoopbackHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboundClientTest {

    private final AtomicLong ticker = new AtomicLong();
    private final OutboundClient client = newClient(OutboundClientConfig.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .ticker(ticker::get)
            .build());
    private LoopbackHttpServer server;

    /** The client under test; {@code IoUringLoopsTest} runs these tests again on io_uring event loops. */
    OutboundClient newClient(OutboundClientConfig config) {
        return OutboundClient.of(config);
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldSendPostWithBodyAndNoUpgradeHeader() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> conn.respond(200, "ok"));

        OutboundResponse response = client.send(OutboundRequest.builder("post", server.uri("/v1/chat?x=1"))
                        .header("Content-Type", "application/json")
                        .body("{\"a\":1}".getBytes(StandardCharsets.UTF_8))
                        .build())
                .get(5, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain");
        assertThat(new String(response.aggregate(1024).get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8))
                .isEqualTo("ok");
        LoopbackHttpServer.Request seen = server.requests().getFirst();
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.target()).isEqualTo("/v1/chat?x=1");
        assertThat(seen.bodyText()).isEqualTo("{\"a\":1}");
        assertThat(seen.headers())
                .containsEntry("host", "127.0.0.1:" + server.port())
                .containsEntry("content-length", "7")
                .doesNotContainKeys("upgrade", "http2-settings", "connection");
    }

    @Test
    void shouldReuseConnectionOnlyAfterBodyWasReadToTheEnd() throws Exception {
        CountDownLatch endFirstBody = new CountDownLatch(1);
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.startChunked(200);
            conn.chunk("hello");
            if (req.target().equals("/a")) {
                endFirstBody.await();
            }
            conn.endChunked();
        });

        OutboundResponse first =
                client.send(OutboundRequest.get(server.uri("/a"))).get(5, TimeUnit.SECONDS);
        // The first body has not ended: its connection is still taken, so the second call opens another one.
        OutboundResponse second =
                client.send(OutboundRequest.get(server.uri("/b"))).get(5, TimeUnit.SECONDS);
        second.aggregate(100).get(5, TimeUnit.SECONDS);
        endFirstBody.countDown();
        first.aggregate(100).get(5, TimeUnit.SECONDS);
        client.send(OutboundRequest.get(server.uri("/c")))
                .get(5, TimeUnit.SECONDS)
                .aggregate(100)
                .get(5, TimeUnit.SECONDS);

        assertThat(server.connections()).isEqualTo(2);
        assertThat(client.metrics().connectionsOpened()).isEqualTo(2);
        assertThat(client.metrics().connectionsReused()).isEqualTo(1);
    }

    @Test
    void shouldNotReuseConnectionIdleLongerThanPoolIdleTimeout() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(30), (req, conn) -> conn.respond(200, "x"));
        client.send(OutboundRequest.get(server.uri("/")))
                .get(5, TimeUnit.SECONDS)
                .aggregate(10)
                .get(5, TimeUnit.SECONDS);

        ticker.addAndGet(Duration.ofSeconds(4).toNanos()); // the default poolIdleTimeout
        client.send(OutboundRequest.get(server.uri("/")))
                .get(5, TimeUnit.SECONDS)
                .aggregate(10)
                .get(5, TimeUnit.SECONDS);

        assertThat(server.connections()).isEqualTo(2);
        assertThat(client.metrics().staleConnectionsDiscarded()).isEqualTo(1);
        assertThat(client.metrics().connectionsReused()).isZero();
    }

    @Test
    void shouldDropPooledConnectionWhenServerClosesItWhileIdle() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofMillis(100), (req, conn) -> conn.respond(200, "x"));
        client.send(OutboundRequest.get(server.uri("/")))
                .get(5, TimeUnit.SECONDS)
                .aggregate(10)
                .get(5, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).until(() -> client.metrics().staleConnectionsDiscarded() == 1);
        assertThat(((DefaultOutboundClient) client).idleConnections(server.uri("/")))
                .isZero();
    }

    @Test
    void shouldFailWithConnectFailedNamingHostAndPortWhenRefused() throws Exception {
        InetSocketAddress nobody = LoopbackHttpServer.closedPort();
        URI uri = URI.create("http://127.0.0.1:" + nobody.getPort() + "/");

        assertThatThrownBy(() -> client.send(OutboundRequest.get(uri)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(OutboundException.class)
                .hasMessage("connection refused by 127.0.0.1:" + nobody.getPort())
                .extracting(e -> ((OutboundException) e).kind())
                .isEqualTo(Kind.CONNECT_FAILED);
    }

    @Test
    void shouldFailWithConnectFailedNamingAnUnknownHost() {
        OutboundException error = failure(client.send(OutboundRequest.get(URI.create("http://nothing.invalid/"))));

        assertThat(error.kind()).isEqualTo(Kind.CONNECT_FAILED);
        assertThat(error).hasMessage("unknown host nothing.invalid (port 80)");
    }

    @Test
    void shouldConnectByHostName() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> conn.respond(200, "named"));

        OutboundResponse response = client.send(
                        OutboundRequest.get(URI.create("http://localhost:" + server.port() + "/")))
                .get(5, TimeUnit.SECONDS);

        assertThat(response.aggregate(10).get(5, TimeUnit.SECONDS)).asString().isEqualTo("named");
        assertThat(server.requests().getFirst().headers()).containsEntry("host", "localhost:" + server.port());
    }

    @Test
    void shouldFailWithResponseHeadTimeoutWhenServerNeverAnswers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> release.await());
        try {
            OutboundRequest request = OutboundRequest.builder("GET", server.uri("/slow"))
                    .responseHeadTimeout(Duration.ofMillis(200))
                    .build();

            assertThat(failure(client.send(request)))
                    .hasMessage(
                            "no response head from 127.0.0.1:" + server.port() + " within 200 ms (responseHeadTimeout)")
                    .extracting(OutboundException::kind)
                    .isEqualTo(Kind.RESPONSE_HEAD_TIMEOUT);
            assertThat(client.metrics().retries()).isZero();
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldFailBodyWithReadIdleTimeoutWhenServerStallsMidBody() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.startChunked(200);
            conn.chunk("first");
            release.await();
        });
        try {
            OutboundResponse response = client.send(OutboundRequest.builder("GET", server.uri("/stall"))
                            .readIdleTimeout(Duration.ofMillis(200))
                            .build())
                    .get(5, TimeUnit.SECONDS);

            assertThat(failure(response.aggregate(1000)))
                    .hasMessageStartingWith("no body bytes from 127.0.0.1:" + server.port() + " for 200 ms")
                    .extracting(OutboundException::kind)
                    .isEqualTo(Kind.READ_IDLE_TIMEOUT);
        } finally {
            release.countDown();
        }
    }

    @Test
    void shouldNotCountTimeWithoutDemandAsReadIdle() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.startChunked(200);
            conn.chunk("a");
            conn.chunk("b");
            conn.endChunked();
        });
        OutboundResponse response = client.send(OutboundRequest.builder("GET", server.uri("/"))
                        .readIdleTimeout(Duration.ofMillis(100))
                        .build())
                .get(5, TimeUnit.SECONDS);
        ManualSubscriber subscriber = new ManualSubscriber();
        response.body().subscribe(subscriber);
        subscriber.request(1);
        await().until(() -> subscriber.received.size() == 1);

        // The reader pauses far longer than the read-idle timeout without asking for more: not a stall.
        CompletableFuture<Void> later = new CompletableFuture<>();
        later.completeOnTimeout(null, 400, TimeUnit.MILLISECONDS).join();
        subscriber.request(Long.MAX_VALUE);

        subscriber.done.get(5, TimeUnit.SECONDS);
        assertThat(subscriber.bytes.get()).isEqualTo(2);
    }

    @Test
    void shouldFailAggregateWithBodyTooLargePastTheCap() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            if (req.target().equals("/declared")) {
                conn.respond(200, "0123456789");
            } else {
                conn.startChunked(200);
                conn.chunk("01234");
                conn.chunk("56789");
                conn.endChunked();
            }
        });

        OutboundResponse declared =
                client.send(OutboundRequest.get(server.uri("/declared"))).get(5, TimeUnit.SECONDS);
        assertThat(failure(declared.aggregate(5)))
                .hasMessage(
                        "response body from 127.0.0.1:" + server.port() + " declares 10 bytes (expected: at most 5)")
                .extracting(OutboundException::kind)
                .isEqualTo(Kind.BODY_TOO_LARGE);

        OutboundResponse chunked =
                client.send(OutboundRequest.get(server.uri("/chunked"))).get(5, TimeUnit.SECONDS);
        assertThat(failure(chunked.aggregate(7)))
                .extracting(OutboundException::kind)
                .isEqualTo(Kind.BODY_TOO_LARGE);
    }

    @Test
    void shouldFailWithTruncatedBodyWhenServerClosesBeforeDeclaredLength() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789");
            conn.close();
        });
        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/"))).get(5, TimeUnit.SECONDS);

        assertThat(failure(response.aggregate(1000)))
                .hasMessage("connection closed by 127.0.0.1:" + server.port()
                        + " after 10 body bytes, before the end of the response body")
                .extracting(OutboundException::kind)
                .isEqualTo(Kind.TRUNCATED_BODY);
    }

    @Test
    void shouldFailWithResponseHeadTooLargeWithoutEchoingHeaders() throws Exception {
        server = LoopbackHttpServer.start(
                Duration.ofSeconds(5),
                (req, conn) -> conn.write(
                        "HTTP/1.1 200 OK\r\nx-big: " + "s".repeat(70_000) + "\r\ncontent-length: 0\r\n\r\n"));

        assertThat(failure(client.send(OutboundRequest.get(server.uri("/")))))
                .hasMessage("response head from 127.0.0.1:" + server.port()
                        + " is larger than 65536 bytes (maxResponseHeadBytes)")
                .extracting(OutboundException::kind)
                .isEqualTo(Kind.RESPONSE_HEAD_TOO_LARGE);
    }

    @Test
    void shouldNotFollowRedirects() throws Exception {
        server = LoopbackHttpServer.start(
                Duration.ofSeconds(5),
                (req, conn) -> conn.write(
                        "HTTP/1.1 302 Found\r\nlocation: http://example.invalid/\r\ncontent-length: 0\r\n\r\n"));

        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/"))).get(5, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.headers().firstValue("location")).contains("http://example.invalid/");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void shouldSkipInformationalResponses() throws Exception {
        server = LoopbackHttpServer.start(
                Duration.ofSeconds(5),
                (req, conn) -> conn.write(
                        "HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));

        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/"))).get(5, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.aggregate(10).get(5, TimeUnit.SECONDS)).asString().isEqualTo("ok");
    }

    @Test
    void shouldFailCallsInFlightWithClientClosed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> release.await());
        try {
            CompletableFuture<OutboundResponse> call = client.send(OutboundRequest.get(server.uri("/")));
            await().until(() -> server.requests().size() == 1);

            client.close();

            assertThat(failure(call)).extracting(OutboundException::kind).isEqualTo(Kind.CLIENT_CLOSED);
            assertThat(failure(client.send(OutboundRequest.get(server.uri("/"))))
                            .kind())
                    .isEqualTo(Kind.CLIENT_CLOSED);
        } finally {
            release.countDown();
        }
    }

    static OutboundException failure(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(OutboundException.class);
            return (OutboundException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("expected an OutboundException, got " + e, e);
        }
        throw new AssertionError("expected the call to fail");
    }
}
