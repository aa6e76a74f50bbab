package org.a6suite.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.http.support.Bodies.ManualSubscriber;
import org.a6suite.http.support.LoopbackHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamingTest {

    private final OutboundClient client = newClient(OutboundClientConfig.DEFAULT);
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
    void shouldDeliverFirstChunkBeforeServerSendsTheSecond() throws Exception {
        AtomicLong secondSentAt = new AtomicLong();
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.startChunked(200);
            conn.chunk("data: one\n\n");
            Thread.sleep(200); // the slow-drip provider: its pacing is the fixture, not a wait in the test
            secondSentAt.set(System.nanoTime());
            conn.chunk("data: two\n\n");
            Thread.sleep(200);
            conn.chunk("data: three\n\n");
            conn.endChunked();
        });
        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/stream"))).get(5, TimeUnit.SECONDS);
        AtomicLong firstSeenAt = new AtomicLong();
        ManualSubscriber subscriber = new ManualSubscriber() {
            @Override
            public void onNext(ByteBuffer item) {
                firstSeenAt.compareAndSet(0, System.nanoTime());
                super.onNext(item);
            }
        };

        response.body().subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);
        subscriber.done.get(5, TimeUnit.SECONDS);

        assertThat(firstSeenAt.get()).isPositive().isLessThan(secondSentAt.get());
        assertThat(text(subscriber.received)).isEqualTo("data: one\n\ndata: two\n\ndata: three\n\n");
    }

    @Test
    void shouldStopReadingFromTheSocketWhileTheSubscriberHasNoDemand() throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicLong writeBlockedSince = new AtomicLong();
        CompletableFuture<Void> serverSawClose = new CompletableFuture<>();
        byte[] block = new byte[64 * 1024];
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.startChunked(200);
            try {
                for (int i = 0; i < 4096; i++) { // 256 MiB at most: far beyond any socket buffer
                    writeBlockedSince.set(System.nanoTime());
                    conn.chunk(block);
                    writeBlockedSince.set(0);
                    written.addAndGet(block.length);
                }
            } catch (java.io.IOException closed) {
                serverSawClose.complete(null);
            }
        });
        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/firehose"))).get(5, TimeUnit.SECONDS);
        ManualSubscriber subscriber = new ManualSubscriber();
        response.body().subscribe(subscriber);

        subscriber.request(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long since = writeBlockedSince.get();
            return since != 0
                    && System.nanoTime() - since > Duration.ofMillis(300).toNanos();
        });
        assertThat(subscriber.received).hasSize(1);
        // What the server got rid of sits in the two kernels' socket buffers and in at most one socket read (64 KiB)
        // on our side: a few MiB on loopback, nowhere near the 256 MiB it wanted to send.
        assertThat(written.get()).isLessThan(32L * 1024 * 1024);

        subscriber.cancel();
        serverSawClose.get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldCloseConnectionWithinASecondWhenTheSubscriptionIsCancelledMidBody() throws Exception {
        CompletableFuture<Long> serverSawCloseAt = new CompletableFuture<>();
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.startChunked(200);
            conn.chunk("token-0 ");
            Thread.ofVirtual().start(() -> {
                conn.awaitClientClose();
                serverSawCloseAt.complete(System.nanoTime());
            });
            for (int i = 1; i < 600 && !serverSawCloseAt.isDone(); i++) {
                Thread.sleep(50);
                conn.chunk("token-" + i + " ");
            }
        });
        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/tokens"))).get(5, TimeUnit.SECONDS);
        ManualSubscriber subscriber = new ManualSubscriber();
        response.body().subscribe(subscriber);
        subscriber.request(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.received.size() == 2);

        long cancelledAt = System.nanoTime();
        subscriber.cancel();

        long closedAt = serverSawCloseAt.get(1, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(closedAt - cancelledAt)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void shouldCloseConnectionWhenTheSendFutureIsCancelledBeforeTheHead() throws Exception {
        CompletableFuture<Void> serverSawClose = new CompletableFuture<>();
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.awaitClientClose(); // a provider still thinking about its first token
            serverSawClose.complete(null);
        });
        CompletableFuture<OutboundResponse> call =
                client.send(OutboundRequest.builder("POST", server.uri("/v1/chat/completions"))
                        .body("{}".getBytes(StandardCharsets.UTF_8))
                        .build());
        await().atMost(Duration.ofSeconds(5)).until(() -> server.requests().size() == 1);

        call.cancel(true);

        serverSawClose.get(1, TimeUnit.SECONDS);
        assertThat(client.metrics().retries()).isZero();
    }

    @Test
    void shouldDeliverManySmallChunksInOrderOneRequestAtATime() throws Exception {
        int chunks = 5000;
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> {
            conn.startChunked(200);
            for (int i = 0; i < chunks; i++) {
                conn.chunk(i + ",");
            }
            conn.endChunked();
        });
        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/many"))).get(5, TimeUnit.SECONDS);
        ManualSubscriber subscriber = new ManualSubscriber() {
            @Override
            public void onNext(ByteBuffer item) {
                super.onNext(item);
                request(1);
            }
        };

        response.body().subscribe(subscriber);
        subscriber.request(1);
        subscriber.done.get(10, TimeUnit.SECONDS);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            expected.add(String.valueOf(i));
        }
        assertThat(text(subscriber.received).split(",")).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldRejectASecondSubscriber() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> conn.respond(200, "x"));
        OutboundResponse response =
                client.send(OutboundRequest.get(server.uri("/"))).get(5, TimeUnit.SECONDS);
        response.body().subscribe(new ManualSubscriber());
        ManualSubscriber second = new ManualSubscriber();

        response.body().subscribe(second);

        assertThat(second.done)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableThat()
                .withMessageContaining("body: already subscribed (expected: one subscriber)");
    }

    private static String text(Iterable<ByteBuffer> buffers) {
        StringBuilder out = new StringBuilder();
        for (ByteBuffer b : buffers) {
            out.append(StandardCharsets.UTF_8.decode(b.duplicate()));
        }
        return out.toString();
    }
}
