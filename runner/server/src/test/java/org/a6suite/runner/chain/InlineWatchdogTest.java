package org.a6suite.runner.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.plugin.Execution;
import org.junit.jupiter.api.Test;

class InlineWatchdogTest {

    private static final long SLOW = 20_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000);
    private final InlineWatchdog watchdog = InlineWatchdog.manual(clock::get);

    private static Placement.Adaptive adaptive() {
        return (Placement.Adaptive) Placement.of(Execution.ADAPTIVE, "maybe", SLOW);
    }

    private static Placement.Adaptive promoted() {
        Placement.Adaptive placement = adaptive();
        for (int i = 0; i < Placement.Adaptive.PROBATION_CALLS; i++) {
            placement.record(1_000, true);
        }
        return placement;
    }

    @Test
    void shouldKeepAnAdaptivePluginOnThePoolUntilItsProbationCallsWereQuick() {
        Placement.Adaptive placement = adaptive();
        for (int i = 0; i < Placement.Adaptive.PROBATION_CALLS - 1; i++) {
            placement.record(1_000, true);
        }
        assertThat(placement.inline()).isFalse();

        placement.record(1_000, true);

        assertThat(placement.inline()).isTrue();
    }

    @Test
    void shouldStartProbationOverWhenACallOnThePoolRanLong() {
        Placement.Adaptive placement = adaptive();
        for (int i = 0; i < Placement.Adaptive.PROBATION_CALLS - 1; i++) {
            placement.record(1_000, true);
        }
        placement.record(SLOW + 1, true);
        for (int i = 0; i < Placement.Adaptive.PROBATION_CALLS - 1; i++) {
            placement.record(1_000, true);
        }
        assertThat(placement.inline()).as("one quick call short of a new run").isFalse();

        placement.record(1_000, true);

        assertThat(placement.inline()).isTrue();
    }

    @Test
    void shouldNeverPromoteAPluginThatKeepsBlockingOnThePool() {
        Placement.Adaptive placement = adaptive();
        for (int i = 0; i < 10 * Placement.Adaptive.PROBATION_CALLS; i++) {
            placement.record(i % 10 == 9 ? SLOW + 1 : 1_000, true);
        }

        assertThat(placement.inline()).isFalse();
    }

    @Test
    void shouldDemoteAPluginStillWaitingOnAnEventLoopPastTheThreshold() throws Exception {
        Placement.Adaptive placement = promoted();
        var entered = new java.util.concurrent.CountDownLatch(1);
        var release = new java.util.concurrent.CountDownLatch(1);
        Thread loop = Thread.ofPlatform().start(() -> {
            InlineWatchdog.Slot slot = watchdog.slot();
            slot.enter(placement, clock.get());
            entered.countDown();
            try {
                release.await(); // the plugin's blocking call
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slot.exit();
        });
        try {
            assertThat(entered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            clock.addAndGet(SLOW / 2);
            watchdog.check();
            assertThat(placement.inline()).as("within the threshold").isTrue();

            clock.addAndGet(SLOW);
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> {
                        watchdog.check();
                        return !placement.inline();
                    });
        } finally {
            release.countDown();
            loop.join();
        }
    }

    /**
     * A thread that triggered a GC, or is stopped at a safepoint, sleeps until the pause is over: to the check it looks
     * like a plugin blocking. The check is paused too, so the gap before its next run gives the pause away.
     */
    @Test
    void shouldLeaveAPluginInlineWhenItsCallWasAsleepOnlyAcrossAPause() throws Exception {
        Placement.Adaptive placement = promoted();
        try (var loop = new AsleepInCall(placement)) {
            watchdog.check();
            clock.addAndGet(SLOW / 2);
            watchdog.check();

            clock.addAndGet(10 * SLOW); // a 200 ms GC pause: no check ran meanwhile
            watchdog.check();
            assertThat(placement.inline()).as("the check right after the pause").isTrue();

            loop.returnFromCall(); // woken after the pause, the quick call returns
            clock.addAndGet(InlineWatchdog.PAUSE_TOLERANCE_NANOS);
            watchdog.check();
            clock.addAndGet(InlineWatchdog.PAUSE_TOLERANCE_NANOS);
            watchdog.check();
        }

        assertThat(placement.inline()).isTrue();
    }

    @Test
    void shouldLeaveAPluginInlineWhenOnlyOneSteadyCheckFoundItAsleep() throws Exception {
        Placement.Adaptive placement = promoted();
        try (var loop = new AsleepInCall(placement)) {
            for (int i = 0; i < 3; i++) { // steady checks, 10 ms apart: the call is 30 ms old at the last
                watchdog.check();
                clock.addAndGet(InlineWatchdog.PAUSE_TOLERANCE_NANOS);
            }
            watchdog.check();
            loop.returnFromCall(); // stopped at a safepoint as that check passed, then back to work
            clock.addAndGet(InlineWatchdog.PAUSE_TOLERANCE_NANOS);
            watchdog.check();
        }

        assertThat(placement.inline()).isTrue();
    }

    @Test
    void shouldDemoteWhenTwoSteadyChecksInARowFindTheSameCallAsleepPastTheThreshold() throws Exception {
        Placement.Adaptive placement = promoted();
        try (var loop = new AsleepInCall(placement)) {
            watchdog.check();
            clock.addAndGet(SLOW + 1);
            watchdog.check(); // not steady (a 20 ms gap): nothing counted
            clock.addAndGet(1);
            watchdog.check();
            assertThat(placement.inline()).as("after one steady sighting").isTrue();

            clock.addAndGet(InlineWatchdog.PAUSE_TOLERANCE_NANOS);
            watchdog.check();

            assertThat(placement.inline()).isFalse();
        }
    }

    /** A platform thread inside an inline call of {@code placement}, asleep until {@link #returnFromCall()}. */
    private final class AsleepInCall implements AutoCloseable {
        private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private final Thread thread;
        private volatile InlineWatchdog.Slot slot;

        AsleepInCall(Placement.Adaptive placement) {
            var entered = new java.util.concurrent.CountDownLatch(1);
            thread = Thread.ofPlatform().start(() -> {
                slot = watchdog.slot();
                slot.enter(placement, clock.get());
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                slot.exit();
            });
            try {
                assertThat(entered.await(5, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(5))
                    .until(slot::asleep);
        }

        void returnFromCall() throws InterruptedException {
            release.countDown();
            thread.join();
        }

        @Override
        public void close() throws InterruptedException {
            returnFromCall();
        }
    }

    @Test
    void shouldDoubleTheProbationAfterEachDemotionAndKeepThePluginOnThePoolAfterTheLast() {
        Placement.Adaptive placement = promoted();
        for (int demotion = 1; demotion < Placement.Adaptive.MAX_DEMOTIONS; demotion++) {
            placement.demote(SLOW + 1, "in a test");
            int probation = Placement.Adaptive.PROBATION_CALLS << demotion;
            for (int i = 0; i < probation - 1; i++) {
                placement.record(1_000, true);
            }
            assertThat(placement.inline())
                    .as("after demotion %d, one call short", demotion)
                    .isFalse();
            placement.record(1_000, true);
            assertThat(placement.inline()).as("after demotion %d", demotion).isTrue();
        }

        placement.demote(SLOW + 1, "in a test");
        for (int i = 0; i < Placement.Adaptive.PROBATION_CALLS << (Placement.Adaptive.MAX_DEMOTIONS + 1); i++) {
            placement.record(1_000, true);
        }

        assertThat(placement.demoted()).isTrue();
        assertThat(placement.inline()).isFalse();
    }

    @Test
    void shouldLeaveAPluginInlineWhenItsCallEndedBeforeTheCheck() {
        Placement.Adaptive placement = promoted();
        InlineWatchdog.Slot slot = watchdog.slot();
        slot.enter(placement, clock.get());
        slot.exit();

        clock.addAndGet(10 * SLOW);
        watchdog.check();

        assertThat(placement.inline()).isTrue();
    }

    @Test
    void shouldLeaveAnInlinePluginInlineWhenItsThreadIsRunnableNotAsleep() {
        Placement.Adaptive placement = promoted();
        InlineWatchdog.Slot slot = watchdog.slot();
        slot.enter(placement, clock.get());

        // The slot is this test thread, which is running while the check reads its state.
        clock.addAndGet(10 * SLOW);
        watchdog.check();

        assertThat(placement.inline()).isTrue();
    }

    @Test
    void shouldTellASleepingThreadFromARunningOne() throws Exception {
        var slotOfSleeper = new java.util.concurrent.atomic.AtomicReference<InlineWatchdog.Slot>();
        var release = new java.util.concurrent.CountDownLatch(1);
        Thread sleeper = Thread.ofPlatform().start(() -> {
            slotOfSleeper.set(watchdog.slot());
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(5))
                .until(() -> slotOfSleeper.get() != null && slotOfSleeper.get().asleep());
        assertThat(watchdog.slot().asleep()).as("this running thread").isFalse();
        release.countDown();
        sleeper.join();
    }

    @Test
    void shouldPlaceFixedExecutionsWithoutLearning() {
        assertThat(Placement.of(Execution.NON_BLOCKING, "a", SLOW).inline()).isTrue();
        assertThat(Placement.of(Execution.BLOCKING, "b", SLOW).inline()).isFalse();
    }
}
