package org.a6suite.optimizer.config;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Pings etcd in the background so that health checks answer from memory, at once, whether etcd answers or not.
 * Load balancers and Kubernetes probes give a health endpoint a second or two; a check that itself waits for an
 * unreachable etcd would time out instead of saying DOWN.
 *
 * <p>One ping is in flight at a time, never blocking a scheduler thread. etcd counts as reachable while the last
 * successful ping is younger than {@code staleAfter}.
 */
public final class EtcdProbe implements AutoCloseable {

    /** What the probe last saw: the last success (if any) and the last failure's description (if the latest failed). */
    public record Snapshot(
            Optional<Instant> lastSuccess, OptionalLong revision, Optional<String> lastError, boolean reachable) {}

    private record State(Optional<Instant> lastSuccess, OptionalLong revision, Optional<String> lastError) {}

    private final KV kv;
    private final ByteSequence key;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final Duration timeout;
    private final Duration staleAfter;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicReference<State> state =
            new AtomicReference<>(new State(Optional.empty(), OptionalLong.empty(), Optional.of("not probed yet")));
    private volatile ScheduledFuture<?> task;

    public EtcdProbe(
            KV kv,
            ByteSequence key,
            Clock clock,
            ScheduledExecutorService scheduler,
            Duration interval,
            Duration timeout,
            Duration staleAfter) {
        this.kv = requireNonNull(kv, "kv");
        this.key = requireNonNull(key, "key");
        this.clock = requireNonNull(clock, "clock");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.interval = requireNonNull(interval, "interval");
        this.timeout = requireNonNull(timeout, "timeout");
        this.staleAfter = requireNonNull(staleAfter, "staleAfter");
    }

    /** Starts pinging every {@code interval}, the first ping at once. */
    public EtcdProbe start() {
        task = scheduler.scheduleWithFixedDelay(this::probe, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Sends one ping unless one is still in flight. */
    void probe() {
        if (!inFlight.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<io.etcd.jetcd.kv.GetResponse> ping;
        try {
            ping = kv.get(key).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        ping.whenComplete((response, error) -> {
            if (error == null) {
                state.set(new State(
                        Optional.of(clock.instant()),
                        OptionalLong.of(response.getHeader().getRevision()),
                        Optional.empty()));
                inFlight.set(false);
            } else {
                failed(error);
            }
        });
    }

    private void failed(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        String what = cause instanceof TimeoutException
                ? "no answer within " + timeout.toMillis() + " ms"
                : "request failed (" + cause.getClass().getSimpleName() + ")";
        state.updateAndGet(s -> new State(s.lastSuccess(), s.revision(), Optional.of(what)));
        inFlight.set(false);
    }

    /** The latest view; never waits for etcd. */
    public Snapshot snapshot() {
        State s = state.get();
        boolean reachable = s.lastSuccess()
                        .map(t -> !t.plus(staleAfter).isBefore(clock.instant()))
                        .orElse(false)
                && s.lastError().isEmpty();
        return new Snapshot(s.lastSuccess(), s.revision(), s.lastError(), reachable);
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }
}
