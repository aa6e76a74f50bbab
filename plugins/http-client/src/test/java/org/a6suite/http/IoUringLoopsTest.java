package org.a6suite.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.a6suite.http.internal.DefaultOutboundClient;
import org.a6suite.http.support.LoopbackHttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The client's behaviour tests (pooling, timeouts, cancellation, streaming, stale-connection retry, TLS) again, with
 * the client on io_uring event loops as the runner hands them to plugins when its loops run on io_uring: the client
 * then opens {@code IoUringSocketChannel}s. Each nested class is one behaviour test class with only its client's
 * loops changed; the servers stay the same real loopback servers.
 */
class IoUringLoopsTest {

    private static EventLoopGroup loops;

    @BeforeAll
    static void startLoops() {
        assumeThat(IoUring.isAvailable())
                .as(
                        "io_uring is unavailable here (%s): the io_uring client tests are skipped",
                        IoUring.unavailabilityCause())
                .isTrue();
        loops = new MultiThreadIoEventLoopGroup(
                2, new DefaultThreadFactory("test-uring-loop", true), IoUringIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static OutboundClient onIoUring(OutboundClientConfig config) {
        return new DefaultOutboundClient(config, loops);
    }

    @Test
    void shouldServeACallOnTheIoUringLoops() throws Exception {
        try (LoopbackHttpServer server =
                        LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> conn.respond(200, "ok"));
                OutboundClient client = onIoUring(OutboundClientConfig.DEFAULT)) {

            Thread completedOn = client.send(OutboundRequest.get(server.uri("/x")))
                    .thenApply(response -> Thread.currentThread())
                    .get(5, TimeUnit.SECONDS);

            boolean onOneOfTheLoops = false;
            for (EventExecutor loop : loops) {
                onOneOfTheLoops |= loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS) == completedOn;
            }
            assertThat(onOneOfTheLoops)
                    .as("completed on an io_uring loop, not " + completedOn)
                    .isTrue();
        }
    }

    @Nested
    class Outbound extends OutboundClientTest {
        @Override
        OutboundClient newClient(OutboundClientConfig config) {
            return onIoUring(config);
        }
    }

    @Nested
    class Streaming extends StreamingTest {
        @Override
        OutboundClient newClient(OutboundClientConfig config) {
            return onIoUring(config);
        }
    }

    @Nested
    class StaleConnectionRetry extends StaleConnectionRetryTest {
        @Override
        OutboundClient newClient(OutboundClientConfig config) {
            return onIoUring(config);
        }

        @Override
        EventLoopGroup newHeldGroup() {
            return new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
        }
    }

    @Nested
    class Tls extends TlsTest {
        @Override
        OutboundClient newClient(OutboundClientConfig config) {
            return onIoUring(config);
        }
    }
}
