package org.a6suite.bench.hotpath;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.a6suite.bench.HostFacts;

/**
 * Runs named call paths closed-loop ({@code inflight} calls in flight, each answer sending the next; no client
 * threads) in alternating rounds, and reports per call the process CPU time and the bytes allocated by all threads
 * ({@code ThreadMXBean.getTotalThreadAllocatedBytes}). Allocation per call hardly depends on how busy the machine is,
 * so it compares builds on a shared machine where latency cannot; CPU per call is compared only between paths
 * measured in alternation in one run (same load).
 *
 * <p>Call number {@code i} in flight is started, and restarted after each answer, on {@code loops[i % n]}: the
 * runner calls a plugin on the I/O loop that read the call, so a plugin that keeps its work on that loop is measured
 * as it runs in production.
 */
final class PerCallRounds {

    /** One measured round of one path. */
    record Round(String path, long calls, long errors, double cpuMicros, double allocBytes) {}

    private final Map<String, Supplier<CompletableFuture<Boolean>>> paths = new LinkedHashMap<>();
    private final int inflight;
    private final List<Executor> loops;

    PerCallRounds(int inflight, List<Executor> loops) {
        if (loops.isEmpty()) {
            throw new IllegalArgumentException("loops: empty (expected: the loops calls start on)");
        }
        this.inflight = inflight;
        this.loops = List.copyOf(loops);
    }

    /** A path: each call completes with true when its answer was the expected one. */
    PerCallRounds path(String name, Supplier<CompletableFuture<Boolean>> call) {
        paths.put(name, call);
        return this;
    }

    /** Warms every path up (not reported), then measures {@code rounds} rounds of each, interleaved. */
    List<Round> run(Duration warmup, Duration round, int rounds) throws InterruptedException {
        for (Map.Entry<String, Supplier<CompletableFuture<Boolean>>> p : paths.entrySet()) {
            measure(p.getKey(), p.getValue(), warmup);
        }
        List<Round> all = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, Supplier<CompletableFuture<Boolean>>> p : paths.entrySet()) {
                Round x = measure(p.getKey(), p.getValue(), round);
                System.err.printf(
                        Locale.ROOT,
                        "  round %d %-14s %7d calls %4d errors %8.1f µs CPU/call %9.0f B/call%n",
                        r + 1,
                        x.path(),
                        x.calls(),
                        x.errors(),
                        x.cpuMicros(),
                        x.allocBytes());
                all.add(x);
            }
        }
        return all;
    }

    /** A markdown table of the medians per path, and each path's excess over {@code baseline} when given. */
    static String table(List<Round> all, String baseline) {
        StringBuilder out = new StringBuilder();
        out.append("| path | calls (median of rounds) | CPU µs/call | bytes allocated/call |");
        if (baseline != null) {
            out.append(" CPU µs over ")
                    .append(baseline)
                    .append(" | bytes over ")
                    .append(baseline)
                    .append(" |");
        }
        out.append('\n').append(baseline == null ? "|---|---:|---:|---:|\n" : "|---|---:|---:|---:|---:|---:|\n");
        List<String> names = all.stream().map(Round::path).distinct().toList();
        for (String name : names) {
            double cpu = median(all, name, Round::cpuMicros);
            double alloc = median(all, name, Round::allocBytes);
            out.append(String.format(
                    Locale.ROOT, "| %s | %.0f | %.1f | %.0f |", name, median(all, name, r -> r.calls()), cpu, alloc));
            if (baseline != null) {
                out.append(String.format(
                        Locale.ROOT,
                        " %.1f | %.0f |",
                        cpu - median(all, baseline, Round::cpuMicros),
                        alloc - median(all, baseline, Round::allocBytes)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    static double median(List<Round> all, String path, ToDoubleFunction<Round> f) {
        return HostFacts.median(
                all.stream().filter(r -> r.path().equals(path)).mapToDouble(f).toArray());
    }

    private Round measure(String name, Supplier<CompletableFuture<Boolean>> call, Duration length)
            throws InterruptedException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(inflight);
        long cpu0 = HostFacts.processCpuNanos();
        long alloc0 = threads.getTotalThreadAllocatedBytes();
        for (int i = 0; i < inflight; i++) {
            Executor on = loops.get(i % loops.size());
            on.execute(() -> loop(call, on, stop, count, errors, finished));
        }
        Thread.sleep(length);
        stop.set(true);
        if (!finished.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException(
                    name + ": " + finished.getCount() + " calls still open 30 s after the round");
        }
        long cpu = HostFacts.processCpuNanos() - cpu0;
        long alloc = threads.getTotalThreadAllocatedBytes() - alloc0;
        long n = Math.max(1, count.get());
        return new Round(name, count.get(), errors.get(), cpu / 1e3 / n, (double) alloc / n);
    }

    private static void loop(
            Supplier<CompletableFuture<Boolean>> call,
            Executor on,
            AtomicBoolean stop,
            AtomicLong count,
            AtomicLong errors,
            CountDownLatch finished) {
        if (stop.get()) {
            finished.countDown();
            return;
        }
        CompletableFuture<Boolean> next;
        try {
            next = call.get();
        } catch (RuntimeException e) {
            next = CompletableFuture.failedFuture(e);
        }
        next.whenComplete((ok, error) -> {
            if (error != null || !Boolean.TRUE.equals(ok)) {
                if (errors.incrementAndGet() == 1) {
                    System.err.println("  first failed call: " + (error != null ? error : "unexpected answer"));
                }
            }
            count.incrementAndGet();
            // The next call starts as a new task on this call's loop (as the runner reads the next call there): a
            // chain of completions must not grow the stack.
            on.execute(() -> loop(call, on, stop, count, errors, finished));
        });
    }
}
