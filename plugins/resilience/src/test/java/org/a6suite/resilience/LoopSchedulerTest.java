package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Scheduler#preferringCurrentLoop}: timers on the caller's loop, the fallback everywhere else. */
class LoopSchedulerTest {

    /** A one-thread executor standing in for an event loop, and the "which loop am I on" the runner offers. */
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-loop");
        t.setDaemon(true);
        return t;
    });

    private final Supplier<Optional<ScheduledExecutorService>> currentLoop =
            () -> Thread.currentThread().getName().equals("test-loop") ? Optional.of(loop) : Optional.empty();
    private final RecordingScheduler fallback = new RecordingScheduler();
    private final Scheduler scheduler = Scheduler.preferringCurrentLoop(currentLoop, fallback);

    @AfterEach
    void stopLoop() {
        loop.shutdownNow();
    }

    @Test
    void shouldRunTheTaskOnTheCallersLoopWhenTheCallerRunsOne() throws Exception {
        CompletableFuture<String> ranOn = new CompletableFuture<>();

        loop.execute(() ->
                scheduler.schedule(() -> ranOn.complete(Thread.currentThread().getName()), Duration.ofMillis(1)));

        assertThat(ranOn.get(10, TimeUnit.SECONDS)).isEqualTo("test-loop");
        assertThat(fallback.delays).isEmpty();
    }

    @Test
    void shouldUseTheFallbackWhenTheCallerIsNotOnALoop() {
        scheduler.schedule(() -> {}, Duration.ofMillis(250));

        assertThat(fallback.delays).containsExactly(Duration.ofMillis(250));
    }

    @Test
    void shouldUseTheFallbackWhenTheLoopRefusesTheTask() throws Exception {
        CompletableFuture<Void> scheduled = new CompletableFuture<>();
        loop.execute(() -> {
            loop.shutdown(); // from here on the loop refuses new tasks, as a loop shutting down does
            scheduler.schedule(() -> {}, Duration.ofSeconds(3));
            scheduled.complete(null);
        });

        scheduled.get(10, TimeUnit.SECONDS);
        assertThat(fallback.delays).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void shouldCancelATaskScheduledOnTheLoopSoItNeverRuns() throws Exception {
        CompletableFuture<Boolean[]> cancels = new CompletableFuture<>();
        CompletableFuture<Void> ran = new CompletableFuture<>();

        loop.execute(() -> {
            Scheduler.Task task = scheduler.schedule(() -> ran.complete(null), Duration.ofMillis(50));
            cancels.complete(new Boolean[] {task.cancel(), task.cancel()});
        });
        // A marker scheduled later than the cancelled task: once it ran, the cancelled task's time has passed.
        CompletableFuture<Void> marker = new CompletableFuture<>();
        loop.schedule(() -> marker.complete(null), 200, TimeUnit.MILLISECONDS);

        assertThat(cancels.get(10, TimeUnit.SECONDS)).containsExactly(true, false);
        marker.get(10, TimeUnit.SECONDS);
        assertThat(ran).isNotDone();
    }

    @Test
    void shouldRunATaskWithANegativeDelayAsSoonAsPossibleOnTheLoop() throws Exception {
        CompletableFuture<String> ranOn = new CompletableFuture<>();

        loop.execute(() ->
                scheduler.schedule(() -> ranOn.complete(Thread.currentThread().getName()), Duration.ofSeconds(-5)));

        assertThat(ranOn.get(10, TimeUnit.SECONDS)).isEqualTo("test-loop");
    }

    /** Records what reaches the fallback; runs nothing. */
    private static final class RecordingScheduler implements Scheduler {
        final List<Duration> delays = new ArrayList<>();

        @Override
        public synchronized Task schedule(Runnable task, Duration delay) {
            delays.add(delay);
            return () -> false;
        }
    }
}
