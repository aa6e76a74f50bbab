package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.testing.A6TestClient;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.Test;

class ConcurrencyTest extends RunnerFixture {

    @Test
    void shouldServe256ConcurrentConnectionsEachMakingCalls() throws Exception {
        RunnerServer server = start(TestPlugin.named("echo")
                .onRequest((r, c) -> RequestDecision.rewrite()
                        .setHeader("x-echo", r.header("x-n").orElse("?"))
                        .build())
                .build());
        long token = prepare("echo", "");
        int connections = 256;
        int callsEach = 20;
        List<A6TestClient> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            clients.add(connect());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.runnerMetrics().openConnections() >= connections);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                A6TestClient client = clients.get(i);
                int n = i;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    for (int call = 0; call < callsEach; call++) {
                        String value = n + "-" + call;
                        var reply = (HttpReqCallResponse)
                                client.call(requestCall(token, "/", List.of(TextEntry.of("x-n", value)), List.of()));
                        var rewrite = (HttpReqCallResponse.Rewrite) reply.action();
                        if (rewrite.headers().equals(List.of(TextEntry.of("x-echo", value)))) {
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(30, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(connections * callsEach);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldAnswerOtherRoutesInMillisecondsWhileABlockingPluginBlocksForTwoSeconds() throws Exception {
        CountDownLatch slowEntered = new CountDownLatch(1);
        var slow = TestPlugin.named("slow")
                .blocking()
                .onRequest((r, c) -> {
                    assertThat(Thread.currentThread().getName()).startsWith("a6-blocking-");
                    slowEntered.countDown();
                    try {
                        Thread.sleep(2000); // The plugin blocks; the test thread never sleeps.
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return RequestDecision.stop(200).body("slow").build();
                })
                .build();
        var fast = TestPlugin.named("fast").build();
        // One I/O thread: if the slow plugin ran on it, every other call would wait the full 2 s.
        start(
                org.a6suite.runner.config.RunnerConfig.builder(socket())
                        .workerThreads(1)
                        .build(),
                RunnerOptions.defaults(),
                slow,
                fast);
        long routeA = prepare("slow", "");
        long routeB = prepare("fast", "");

        A6TestClient slowClient = connect();
        CompletableFuture<Object> slowReply = CompletableFuture.supplyAsync(() -> slowClient.call(requestCall(routeA)));
        assertThat(slowEntered.await(5, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            try (A6TestClient other = A6TestClient.connect(clientGroup, socket())) {
                assertThat(other.call(requestCall(routeB)))
                        .isEqualTo(new HttpReqCallResponse(42, HttpReqCallResponse.None.INSTANCE));
            }
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(slowReply).as("the slow call is still running").isNotDone();
        assertThat(elapsedMillis).as("20 calls on route B while route A blocks").isLessThan(1000);

        var reply = (HttpReqCallResponse) slowReply.get(10, TimeUnit.SECONDS);
        assertThat(reply.action()).isInstanceOf(HttpReqCallResponse.Stop.class);
    }
}
