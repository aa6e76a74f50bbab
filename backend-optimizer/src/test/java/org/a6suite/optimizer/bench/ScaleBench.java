package org.a6suite.optimizer.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.optimizer.etcd.ApisixObjectParser;
import org.a6suite.optimizer.etcd.HealthDocumentParser;
import org.a6suite.optimizer.model.HealthDocument;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.EvaluationInput;
import org.a6suite.optimizer.policy.HealthMerger;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.PolicyEngine;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.policy.UpstreamState;

/**
 * Scale benchmark of the pure policy engine; a main in test scope because the optimizer's main
 * artifact is a Spring Boot jar other modules cannot compile against. Not a test: surefire does not run it.
 *
 * <p>It builds {@code upstreams} upstreams of {@code nodes} nodes each (parsed from APISIX JSON by
 * {@link ApisixObjectParser}), and health documents from {@code apisix} APISIX nodes that each report every upstream
 * node, written as contract JSON in shards of about 1 MiB and parsed by {@link HealthDocumentParser}, as the optimizer
 * receives them. About 10% of the upstreams have one slow node (p90 300 ms), 2% one failing node (60% errors), the rest
 * jittered healthy numbers. A <em>full recompute</em> is what one optimizer pass does per upstream without I/O: merge
 * the health of all documents ({@link HealthMerger}) and evaluate ({@link PolicyEngine}), keeping every engine state
 * and recommendation. Every pass sees new reports (a new {@code generated_at_ms}) and a clock 5 s later, so the engine
 * advances its state each time. Reported: wall and CPU time of {@code passes} passes after {@code warmup} passes
 * (median, p90, max), and heap in use after GC (MemoryMXBean) with everything retained.
 *
 * <p>Usage: {@code ScaleBench [--upstreams 10000] [--nodes 10] [--apisix 3] [--warmup 5] [--passes 20]
 * [--settled 1]}; run with {@code -Xmx512m} (benchmarks/scale-bench.sh).
 */
public final class ScaleBench {

    private static final long INTERVAL_MS = 5000;
    private static final int SHARD_CHARS = 1 << 20;

    private ScaleBench() {}

    /** A clock the bench moves forward by hand. */
    static final class StepClock extends Clock {
        private final AtomicLong millis;

        StepClock(long start) {
            millis = new AtomicLong(start);
        }

        void advance(long ms) {
            millis.addAndGet(ms);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> o = new HashMap<>(
                Map.of("upstreams", 10_000, "nodes", 10, "apisix", 3, "warmup", 5, "passes", 20, "settled", 1));
        for (int i = 0; i + 1 < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (!o.containsKey(name)) {
                throw new IllegalArgumentException(args[i] + ": unknown (expected: " + o.keySet() + ")");
            }
            o.put(name, Integer.parseInt(args[i + 1]));
        }
        int upstreams = o.get("upstreams"), nodes = o.get("nodes"), apisix = o.get("apisix");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long heapBase = usedAfterGc(memory);
        System.out.printf(
                Locale.ROOT,
                "# %d upstreams x %d nodes, %d APISIX nodes reporting all of them;"
                        + " max heap %d MiB;"
                        + " heap in use after GC before building: %.1f MiB%n",
                upstreams,
                nodes,
                apisix,
                Runtime.getRuntime().maxMemory() >> 20,
                heapBase / 1048576.0);

        long t = System.nanoTime();
        List<UpstreamConfig> configs = new ArrayList<>(upstreams);
        for (int u = 1; u <= upstreams; u++) {
            String json = upstreamJson(u, nodes, o.get("settled") == 1);
            configs.add(ApisixObjectParser.upstream(
                            new UpstreamRef("upstreams", Integer.toString(u)),
                            u,
                            ApisixObjectParser.tree(json).orElseThrow())
                    .orElseThrow());
        }
        double configMs = (System.nanoTime() - t) / 1e6;

        StepClock clock = new StepClock(1_763_715_600_000L);
        t = System.nanoTime();
        long jsonChars = 0;
        List<HealthDocument> shards = new ArrayList<>();
        for (int a = 1; a <= apisix; a++) {
            for (String json : healthShards("apisix-" + a, clock.millis(), configs, new SplittableRandom(a))) {
                jsonChars += json.length();
                shards.add(HealthDocumentParser.parse(json));
            }
        }
        double parseMs = (System.nanoTime() - t) / 1e6;
        System.out.printf(
                Locale.ROOT,
                "# built %d upstream configs in %.0f ms; parsed %d health shards"
                        + " (%.1f MB of JSON)"
                        + " in %.0f ms%n",
                configs.size(),
                configMs,
                shards.size(),
                jsonChars / 1e6,
                parseMs);

        HealthMerger merger = new HealthMerger(clock, 3);
        PolicyEngine engine = new PolicyEngine(clock);
        Policy policy = Policy.DEFAULT;
        Map<UpstreamRef, UpstreamState> states = new HashMap<>();
        Map<UpstreamRef, Recommendation> latest = new HashMap<>();
        int warmup = o.get("warmup"), passes = o.get("passes");
        double[] wall = new double[passes];
        double[] cpu = new double[passes];
        long changes = 0;
        for (int p = -warmup; p < passes; p++) {
            clock.advance(INTERVAL_MS);
            long generated = clock.millis() - 200;
            List<HealthDocument> docs = new ArrayList<>(shards.size());
            for (HealthDocument d : shards) {
                docs.add(new HealthDocument(d.nodeId(), generated, d.intervalMs(), d.upstreams()));
            }
            long c0 = threads.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            long changed = 0;
            for (UpstreamConfig config : configs) {
                UpstreamRef ref = config.ref();
                HealthMerger.Merged merged = merger.merge(ref, docs);
                EvaluationInput input = new EvaluationInput(
                        config, merged, policy, Optional.empty(), Optional.empty(), Map.of(), List.of());
                PolicyEngine.Evaluation ev = engine.evaluate(input, states.getOrDefault(ref, UpstreamState.INITIAL));
                states.put(ref, ev.state());
                latest.put(ref, ev.recommendation());
                if (ev.recommendation().status() == Recommendation.Status.CHANGE) {
                    changed++;
                }
            }
            double w = (System.nanoTime() - w0) / 1e6;
            double c = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
            if (p >= 0) {
                wall[p] = w;
                cpu[p] = c;
                changes = changed;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s pass %d: %.0f ms wall, %.0f ms CPU, %d recommendations with a change%n",
                    p < 0 ? "warm-up" : "measured",
                    p < 0 ? p + warmup + 1 : p + 1,
                    w,
                    c,
                    changed);
        }
        long heapAll = usedAfterGc(memory);
        System.out.printf(
                Locale.ROOT,
                "RESULT settled=%d upstreams=%d nodes=%d apisix=%d shards=%d passes=%d "
                        + "wall_ms median=%.0f p90=%.0f max=%.0f cpu_ms median=%.0f p90=%.0f "
                        + "heap_after_gc_mib=%.1f retained_by_data_mib=%.1f max_heap_mib=%d changes_per_pass=%d%n",
                o.get("settled"),
                upstreams,
                nodes,
                apisix,
                shards.size(),
                passes,
                pct(wall, 50),
                pct(wall, 90),
                pct(wall, 100),
                pct(cpu, 50),
                pct(cpu, 90),
                heapAll / 1048576.0,
                (heapAll - heapBase) / 1048576.0,
                Runtime.getRuntime().maxMemory() >> 20,
                changes);
        // Keep everything reachable until after the measurement above.
        if (states.size() + latest.size() + configs.size() + shards.size() == 0) {
            System.out.println("empty");
        }
    }

    /**
     * With {@code settled}, the timeout is what the engine recommends for healthy nodes here (0.5 s connect, 1 s
     * send/read: the policy minimums), so only the slow and failing upstreams change, as in a steady deployment;
     * without, every upstream also gets a timeout change (10 s read -&gt; 1 s) in every pass, the worst case.
     */
    static String upstreamJson(int u, int nodes, boolean settled) {
        StringBuilder s = new StringBuilder("{\"name\":\"u").append(u).append("\",\"type\":\"roundrobin\",\"nodes\":[");
        for (int n = 0; n < nodes; n++) {
            s.append(n == 0 ? "" : ",")
                    .append("{\"host\":\"")
                    .append(host(u, n))
                    .append("\",\"port\":8080,\"weight\":100}");
        }
        return s.append(
                        settled
                                ? "],\"timeout\":{\"connect\":0.5,\"send\":1,\"read\":1}"
                                : "],\"timeout\":{\"connect\":2,\"send\":10,\"read\":10}")
                .append(",\"retries\":1}")
                .toString();
    }

    static String host(int u, int n) {
        return "10." + (u >> 8 & 255) + "." + (u & 255) + "." + (n + 1);
    }

    /** One APISIX node's report of every upstream node, as contract JSON split into shards of about 1 MiB. */
    static List<String> healthShards(
            String nodeId, long generatedAtMs, List<UpstreamConfig> configs, SplittableRandom random) {
        List<String> shards = new ArrayList<>();
        StringBuilder s = null;
        for (UpstreamConfig c : configs) {
            if (s == null) {
                s = new StringBuilder(SHARD_CHARS + 4096)
                        .append("{\"version\":1,\"node_id\":\"")
                        .append(nodeId)
                        .append("\",\"generated_at_ms\":")
                        .append(generatedAtMs)
                        .append(",\"interval_ms\":")
                        .append(INTERVAL_MS)
                        .append(",\"upstreams\":{");
            } else {
                s.append(',');
            }
            int u = Integer.parseInt(c.ref().id());
            boolean slowUpstream = u % 10 == 3;
            boolean failingUpstream = u % 50 == 7;
            s.append('"').append(c.ref().key()).append("\":{\"nodes\":{");
            for (int n = 0; n < c.nodes().size(); n++) {
                boolean slow = slowUpstream && n == 0;
                boolean failing = failingUpstream && n == 1;
                long requests = 80 + random.nextInt(120);
                long e5 = failing ? requests * 6 / 10 : random.nextInt(100) < 3 ? 1 : 0;
                double p50 = (slow ? 300 : 8) + random.nextDouble() * 4;
                s.append(n == 0 ? "" : ",")
                        .append('"')
                        .append(c.nodes().get(n).address())
                        .append("\":{")
                        .append("\"requests\":")
                        .append(requests)
                        .append(",\"errors\":{\"http_5xx\":")
                        .append(e5)
                        .append(",\"http_4xx\":")
                        .append(random.nextInt(3))
                        .append(",\"timeout\":0,\"connect\":0}")
                        .append(String.format(
                                Locale.ROOT,
                                ",\"latency_ms\":{\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f," + "\"p999\":%.2f}",
                                p50,
                                p50 * 1.6,
                                p50 * 3,
                                p50 * 5))
                        .append(String.format(
                                Locale.ROOT,
                                ",\"connect_ms\":{\"p50\":%.2f,\"p99\":%.2f}",
                                0.3 + random.nextDouble() * 0.2,
                                1 + random.nextDouble()))
                        .append(String.format(
                                Locale.ROOT, ",\"response_ms\":{\"p50\":%.2f,\"p99\":%.2f}", p50 - 0.5, p50 * 3 - 1))
                        .append(",\"health\":\"")
                        .append(failing ? "mostly_unhealthy" : "healthy")
                        .append("\",\"sources\":[\"prometheus\",\"control_api\"]}");
            }
            s.append("}}");
            if (s.length() >= SHARD_CHARS) {
                shards.add(s.append("}}").toString());
                s = null;
            }
        }
        if (s != null) {
            shards.add(s.append("}}").toString());
        }
        return shards;
    }

    static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static double pct(double[] values, double percentile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
