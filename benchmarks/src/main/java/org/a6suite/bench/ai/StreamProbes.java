package org.a6suite.bench.ai;

import static org.a6suite.bench.HostFacts.processCpuNanos;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.a6suite.bench.ai.StreamBenchReport.TtftPoint;

/**
 * The stream benchmark's measurements of one path: TTFT of closed-loop streaming clients, CPU per relayed chunk, and
 * live heap per open stream. Each drives raw HTTP clients ({@link StreamingCall}) at a {@link Target}.
 */
final class StreamProbes {

    private static final int READ_TIMEOUT_MS = 120_000;

    /** Where a path's streaming calls go, and the request body they send. */
    record Target(String host, int port, byte[] request) {}

    private StreamProbes() {}

    /** Merged TTFT of closed-loop streaming clients. */
    record StreamsResult(Histogram ttft, long calls, long errors, long chunks) {
        TtftPoint asPoint(int round, String path, int n, String load) {
            return new TtftPoint(round, path, n, ttft, calls, errors, load);
        }
    }

    /**
     * {@code n} clients, each streaming one call after another on a fresh connection; a call counts when it is a 200
     * with at least one token and a clean end, and its TTFT is recorded if it started after the warm-up.
     */
    static StreamsResult streams(Target t, int n, Duration warmup, Duration measure) throws InterruptedException {
        long from = System.nanoTime() + warmup.toNanos();
        long end = from + measure.toNanos();
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong chunks = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofPlatform().name("bench-stream-client-" + i).start(() -> {
                Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
                while (System.nanoTime() < end) {
                    try (StreamingCall c = StreamingCall.open(t.host(), t.port(), READ_TIMEOUT_MS)) {
                        StreamingCall.Outcome r = c.exchange(t.request(), () -> {});
                        if (r.sentNanos() < from) {
                            continue;
                        }
                        if (r.status() == 200 && r.tokens() > 0 && r.complete()) {
                            h.recordValue(r.ttftNanos());
                            calls.incrementAndGet();
                            chunks.addAndGet(r.tokens());
                        } else {
                            errors.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
                synchronized (all) {
                    all.add(h);
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        return new StreamsResult(all, calls.get(), errors.get(), chunks.get());
    }

    /**
     * {chunks, seconds, process CPU µs per chunk, runner-thread CPU µs per chunk, errors} for {@code n} concurrent
     * streams of the fast provider, one stream each. Runner threads: platform threads named {@code a6-*} (I/O loops of
     * the A6 socket and the lane, the scheduler, the outbound HTTP client's loops); their CPU from
     * {@link ThreadMXBean#getThreadCpuTime}. Virtual threads (the runner's blocking pool) are not seen by it: the lane
     * stream path does not use them.
     */
    static double[] cpuPerChunk(Target t, int n) throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> before = runnerThreadCpu(mx);
        long process0 = processCpuNanos();
        long t0 = System.nanoTime();
        AtomicLong chunks = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            threads.add(Thread.ofPlatform().name("bench-cpu-client-" + i).start(() -> {
                try (StreamingCall c = StreamingCall.open(t.host(), t.port(), READ_TIMEOUT_MS)) {
                    StreamingCall.Outcome r = c.exchange(t.request(), () -> {});
                    chunks.addAndGet(r.tokens());
                    if (r.status() != 200 || !r.complete()) {
                        errors.incrementAndGet();
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long process = processCpuNanos() - process0;
        Map<Long, Long> after = runnerThreadCpu(mx);
        long runner = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            runner += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        double c = Math.max(1, chunks.get());
        return new double[] {chunks.get(), seconds, process / 1e3 / c, runner / 1e3 / c, errors.get()};
    }

    private static Map<Long, Long> runnerThreadCpu(ThreadMXBean mx) {
        Map<Long, Long> cpu = new HashMap<>();
        for (Thread th : Thread.getAllStackTraces().keySet()) {
            if (th.getName().startsWith("a6-") && !th.isVirtual()) {
                long ns = mx.getThreadCpuTime(th.threadId());
                if (ns >= 0) {
                    cpu.put(th.threadId(), ns);
                }
            }
        }
        return cpu;
    }

    /**
     * {baseline heap, heap with k streams open, KiB per stream, streams opened}: k client threads (128 KiB stacks,
     * off-heap) each open one slow-drip stream spread over the origins and park after its first token; the heap is
     * measured after full GCs before and while all are open, then the sockets are closed.
     */
    static double[] heapPerStream(List<Target> targets, int k, PrintStream log, Map<String, String[]> histograms)
            throws InterruptedException {
        prime(targets);
        long baseline = liveHeapBytes();
        String baselineHistogram = lastHistogram;
        CountDownLatch first = new CountDownLatch(k);
        List<StreamingCall> open = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Target t = targets.get(i % targets.size());
            threads.add(Thread.ofPlatform()
                    .name("bench-heap-client-" + i)
                    .stackSize(128 * 1024)
                    .start(() -> {
                        StreamingCall c = null;
                        try {
                            c = StreamingCall.open(t.host(), t.port(), READ_TIMEOUT_MS);
                            synchronized (open) {
                                open.add(c);
                            }
                            c.exchange(t.request(), first::countDown);
                        } catch (IOException e) {
                            // closed by the measurement below, or a failure (then the first-token latch stays short)
                        } finally {
                            if (c != null) {
                                c.close();
                            }
                        }
                    }));
        }
        boolean all = first.await(60, TimeUnit.SECONDS);
        long opened = k - first.getCount();
        if (!all) {
            log.println("stream-bench: only " + opened + " of " + k + " streams reached their first token");
        }
        Thread.sleep(2_000);
        long used = liveHeapBytes();
        histograms.put(targets.get(0).port() + "-" + k, new String[] {baselineHistogram, lastHistogram});
        // Hold the streams open longer for a class histogram from outside (jcmd <pid> GC.class_histogram).
        Thread.sleep(Long.getLong("stream.bench.heapHoldMs", 0));
        synchronized (open) {
            open.forEach(StreamingCall::close);
        }
        for (Thread th : threads) {
            th.join(10_000);
        }
        Thread.sleep(1_000);
        return new double[] {baseline, used, (used - baseline) / 1024.0 / Math.max(1, opened), opened};
    }

    /**
     * One stream per target up to its first token, before the baseline: the first call of a route creates per-route
     * and per-target state (the target's latency windows are HdrHistograms, ~0.5 MiB per target), which would
     * otherwise be counted as per-stream heap.
     */
    private static void prime(List<Target> targets) {
        for (Target t : targets) {
            try (StreamingCall c = StreamingCall.open(t.host(), t.port(), READ_TIMEOUT_MS)) {
                c.exchange(t.request(), () -> {
                    throw new FirstTokenSeen();
                });
            } catch (FirstTokenSeen | IOException e) {
                // the stream is cut at its first token on purpose
            }
        }
    }

    /** Thrown from the first-token callback to stop reading a priming stream. */
    private static final class FirstTokenSeen extends RuntimeException {
        FirstTokenSeen() {
            super(null, null, false, false);
        }
    }

    /**
     * Live heap bytes: the total of a class histogram ({@code GC.class_histogram}, which runs a full GC first and
     * counts only reachable objects). "Used heap after System.gc()" proved unreliable here (it moved by 100 MiB between
     * identical runs); the histogram total does not depend on what the collector left in place. The histogram itself
     * is kept in {@link #lastHistogram} so the caller can save where the bytes went.
     */
    private static long liveHeapBytes() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "gcClassHistogram",
                            new Object[] {new String[0]},
                            new String[] {String[].class.getName()});
            String text = String.valueOf(out);
            lastHistogram = text;
            String[] lines = text.strip().split("\n");
            String[] total = lines[lines.length - 1].trim().split("\\s+");
            return Long.parseLong(total[total.length - 1]);
        } catch (javax.management.JMException | RuntimeException e) {
            throw new IllegalStateException("class histogram: " + e, e);
        }
    }

    private static volatile String lastHistogram = "";
}
