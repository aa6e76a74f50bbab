package org.a6suite.runner.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.plugin.Execution;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watchdog's periodic check runs only while adaptive plugins run inline (a real scheduler, 1 ms period). */
class InlineWatchdogSchedulingTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final InlineWatchdog watchdog = new InlineWatchdog(scheduler, 1, System::nanoTime);

    @AfterEach
    void stop() {
        watchdog.close();
        scheduler.shutdownNow();
    }

    private static Placement.Adaptive promoted(long slowNanos) {
        Placement.Adaptive placement = (Placement.Adaptive) Placement.of(Execution.ADAPTIVE, "maybe", slowNanos);
        for (int i = 0; i < Placement.Adaptive.PROBATION_CALLS; i++) {
            placement.record(1_000, true);
        }
        return placement;
    }

    @Test
    void shouldStopCheckingWhenNoInlineCallCameForAWhileAndStartAgainOnTheNextOne() {
        Placement.Adaptive placement = promoted(TimeUnit.MILLISECONDS.toNanos(20));
        InlineWatchdog.Slot slot = watchdog.slot();
        assertThat(watchdog.checking()).as("before any inline call").isFalse();

        slot.enter(placement, System.nanoTime());
        assertThat(watchdog.checking()).as("the first inline call starts it").isTrue();
        slot.exit();

        await().atMost(Duration.ofSeconds(5)).until(() -> !watchdog.checking());

        slot.enter(placement, System.nanoTime());
        assertThat(watchdog.checking())
                .as("the next inline call starts it again")
                .isTrue();
        slot.exit();
    }

    @Test
    void shouldKeepCheckingWhileACallIsInProgressAndStillDemoteABlockingPlugin() throws Exception {
        // A threshold of 200 checks' time: the demotion can only come from checks made long after the 50 idle
        // checks that would have stopped a watchdog that looked only at calls entered since the last check.
        Placement.Adaptive placement = promoted(TimeUnit.MILLISECONDS.toNanos(200));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread loop = Thread.ofPlatform().start(() -> {
            InlineWatchdog.Slot slot = watchdog.slot();
            slot.enter(placement, System.nanoTime());
            entered.countDown();
            try {
                release.await(); // the plugin's blocking call: the thread is asleep
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slot.exit();
        });
        try {
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !placement.inline());
            assertThat(watchdog.checking()).isTrue();
        } finally {
            release.countDown();
            loop.join();
        }
    }

    @Test
    void shouldStartAgainWhenACallBeganAsTheCheckStopped() {
        InlineWatchdog.Slot slot = watchdog.slot();
        slot.enter(promoted(TimeUnit.MILLISECONDS.toNanos(20)), System.nanoTime());

        watchdog.park(); // as if the check had decided to stop just as this call began

        assertThat(watchdog.checking()).isTrue();
        slot.exit();
    }

    @Test
    void shouldNotStartAfterClose() {
        InlineWatchdog.Slot slot = watchdog.slot();
        watchdog.close();

        slot.enter(promoted(TimeUnit.MILLISECONDS.toNanos(20)), System.nanoTime());
        slot.exit();

        assertThat(scheduler.shutdownNow()).as("nothing was scheduled").isEmpty();
    }
}
