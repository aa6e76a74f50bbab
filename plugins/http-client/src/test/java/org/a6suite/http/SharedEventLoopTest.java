package org.a6suite.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.http.internal.DefaultOutboundClient;
import org.a6suite.http.support.LoopbackHttpServer;
import org.a6suite.plugin.IoLoops;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.plugin.PluginMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client on the host's event loops ({@link PluginEnvironment#ioLoops()}): calls stay on the caller's loop. */
class SharedEventLoopTest {

    private static final OutboundClientConfig CONFIG =
            OutboundClientConfig.builder().connectTimeout(Duration.ofSeconds(2)).build();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("test-host-loop", true), NioIoHandler.newFactory());
    private LoopbackHttpServer server;
    private OutboundClient client;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldCompleteACallMadeOnAnEventLoopOnThatSameLoopAndReuseItsConnection() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> conn.respond(200, "ok"));
        client = OutboundClient.of(CONFIG, new Host(Optional.of(new Loops(group))));
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);

        for (int round = 0; round < 2; round++) {
            for (EventExecutor loop : loops) {
                Thread caller = loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
                CompletableFuture<Thread> completedOn = new CompletableFuture<>();
                loop.execute(() -> client.send(OutboundRequest.get(server.uri("/x")))
                        .whenComplete((response, error) -> {
                            if (error != null) {
                                completedOn.completeExceptionally(error);
                                return;
                            }
                            completedOn.complete(Thread.currentThread());
                            response.aggregate(1024);
                        }));

                assertThat(completedOn.get(5, TimeUnit.SECONDS)).isSameAs(caller);
                int idleBefore = round == 0 ? loops.indexOf(loop) : loops.size() - 1;
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> ((DefaultOutboundClient) client).idleConnections(server.uri("/")) > idleBefore);
            }
        }
        // One connection per loop, each reused by its loop's second call (another loop's idle one was never taken).
        assertThat(server.connections()).isEqualTo(loops.size());
        assertThat(client.metrics().connectionsReused()).isEqualTo(loops.size());
    }

    @Test
    void shouldRunOnItsOwnEventLoopWhenTheHostOffersNone() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> conn.respond(200, "ok"));
        client = OutboundClient.of(CONFIG, new Host(Optional.empty()));

        Thread completedOn = client.send(OutboundRequest.get(server.uri("/x")))
                .thenApply(response -> Thread.currentThread())
                .get(5, TimeUnit.SECONDS);

        assertThat(completedOn.getName()).startsWith("a6-http-client");
    }

    @Test
    void shouldLeaveTheHostsEventLoopsRunningWhenClosed() throws Exception {
        server = LoopbackHttpServer.start(Duration.ofSeconds(5), (req, conn) -> conn.respond(200, "ok"));
        client = OutboundClient.of(CONFIG, new Host(Optional.of(new Loops(group))));
        assertThat(client.send(OutboundRequest.get(server.uri("/x")))
                        .get(5, TimeUnit.SECONDS)
                        .status())
                .isEqualTo(200);

        client.close();

        assertThat(group.isShuttingDown()).isFalse();
        assertThat(group.submit(() -> "alive").get(5, TimeUnit.SECONDS)).isEqualTo("alive");
    }

    /** The runner's view of its loops, as {@code NettyIoLoops} offers them. */
    private record Loops(EventLoopGroup group) implements IoLoops {
        @Override
        public Optional<ScheduledExecutorService> current() {
            for (EventExecutor loop : group) {
                if (loop.inEventLoop()) {
                    return Optional.of(loop);
                }
            }
            return Optional.empty();
        }

        @Override
        public <T> Optional<T> unwrap(Class<T> type) {
            return type.isInstance(group) ? Optional.of(type.cast(group)) : Optional.empty();
        }
    }

    /** Only {@link #ioLoops()} matters to the client. */
    private record Host(Optional<IoLoops> ioLoops) implements PluginEnvironment {
        @Override
        public Clock clock() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledExecutorService scheduler() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Executor blockingExecutor() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<String> getenv(String name) {
            return Optional.empty();
        }

        @Override
        public OutcomeRecorder outcomes() {
            throw new UnsupportedOperationException();
        }

        @Override
        public PluginMetrics metrics() {
            throw new UnsupportedOperationException();
        }
    }
}
