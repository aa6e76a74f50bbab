package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.testing.A6TestClient;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.Test;

/** Where {@code Execution.ADAPTIVE} plugins (official-SDK filters) run: pool first, then inline, back on blocking. */
class AdaptivePlacementTest extends RunnerFixture {

    private static final HttpReqCallResponse PROCEED = new HttpReqCallResponse(42, HttpReqCallResponse.None.INSTANCE);

    @Test
    void shouldAnswerOtherConnectionsWhileAnAdaptivePluginBlocksTwoSecondsOnItsFirstCall() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        var maybe = TestPlugin.named("maybe")
                .adaptive()
                .onRequest((r, c) -> {
                    if (first.getAndSet(false)) {
                        entered.countDown();
                        sleep(2000); // the plugin blocks; the test never sleeps
                    }
                    return RequestDecision.proceed();
                })
                .build();
        // One I/O thread: had the first call run on it, every other connection would wait the full 2 s.
        start(
                RunnerConfig.builder(socket()).workerThreads(1).build(),
                RunnerOptions.defaults(),
                maybe,
                TestPlugin.named("fast").build());
        long maybeRoute = prepare("maybe", "");
        long fastRoute = prepare("fast", "");

        // Each client waits on a thread of its own (the common pool may have a single thread on a small machine).
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            A6TestClient blocked = connect();
            CompletableFuture<Object> blockedReply =
                    CompletableFuture.supplyAsync(() -> blocked.call(requestCall(maybeRoute)), clients);
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

            A6TestClient other = connect();
            CompletableFuture<Object> fastReply =
                    CompletableFuture.supplyAsync(() -> other.call(requestCall(fastRoute)), clients);
            A6TestClient third = connect();
            CompletableFuture<Object> sameFilterReply =
                    CompletableFuture.supplyAsync(() -> third.call(requestCall(maybeRoute)), clients);

            await().atMost(Duration.ofMillis(1500)).until(() -> fastReply.isDone() && sameFilterReply.isDone());
            assertThat(blockedReply).as("the blocking call is still running").isNotDone();
            assertThat(fastReply.get()).isEqualTo(PROCEED);
            assertThat(sameFilterReply.get()).isEqualTo(PROCEED);
            assertThat(blockedReply.get(10, TimeUnit.SECONDS)).isEqualTo(PROCEED);
        }
    }

    @Test
    void shouldRunAQuickAdaptivePluginInlineAfterProbationAndOnThePoolAgainOnceItBlocked() {
        List<String> threads = new CopyOnWriteArrayList<>();
        AtomicBoolean block = new AtomicBoolean();
        var maybe = TestPlugin.named("maybe")
                .adaptive()
                .onRequest((r, c) -> {
                    threads.add(Thread.currentThread().getName());
                    if (block.getAndSet(false)) {
                        sleep(200); // far over the 20 ms slow-call threshold
                    }
                    return RequestDecision.proceed();
                })
                .build();
        start(maybe);
        long route = prepare("maybe", "");
        A6TestClient client = connect();

        for (int i = 0; i < 70; i++) {
            assertThat(client.call(requestCall(route))).isEqualTo(PROCEED);
        }
        assertThat(threads.subList(0, 64)).allMatch(name -> name.startsWith("a6-blocking-"));
        assertThat(threads.subList(65, 70)).allMatch(name -> name.startsWith("a6-io"));

        block.set(true);
        assertThat(client.call(requestCall(route))).isEqualTo(PROCEED);
        assertThat(client.call(requestCall(route))).isEqualTo(PROCEED);

        assertThat(threads.get(threads.size() - 2))
                .as("the call that blocked ran inline")
                .startsWith("a6-io");
        assertThat(threads.getLast()).as("the next call").startsWith("a6-blocking-");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
