package org.a6suite.health.internal;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.a6suite.plugin.OutcomeRecorder;

/**
 * Aggregates the outcomes plugins record (the runner's own outbound calls and post-resp upstream calls) per
 * (upstream key, node): counters and an HdrHistogram {@link Recorder} each, so recording is lock-free and
 * {@link #drain()} returns exact per-interval deltas. Nodes silent for {@link #IDLE_INTERVALS} drains are dropped,
 * which bounds the map by the nodes in recent use.
 */
public final class OutcomeAggregator implements OutcomeRecorder {

    static final int IDLE_INTERVALS = 12;
    /** Microseconds, up to one hour, two significant digits (1% error). */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private static final int MAX_NODES = 10_000;

    private static final class Node {
        final Recorder latencies = new Recorder(HIGHEST_MICROS, 2);
        final LongAdder requests = new LongAdder();
        final LongAdder http5xx = new LongAdder();
        final LongAdder http4xx = new LongAdder();
        final LongAdder timeout = new LongAdder();
        final LongAdder connect = new LongAdder();
        int idleDrains;
        Histogram spare;
    }

    private final ConcurrentMap<NodeKey, Node> nodes = new ConcurrentHashMap<>();
    private final java.util.function.UnaryOperator<String> keyMapping;

    /** @param keyMapping applied to each outcome's upstream key (the reporter's {@code A6_HEALTH_ROUTE_UPSTREAMS}) */
    public OutcomeAggregator(java.util.function.UnaryOperator<String> keyMapping) {
        this.keyMapping = java.util.Objects.requireNonNull(keyMapping, "keyMapping");
    }

    @Override
    public void record(Outcome outcome) {
        NodeKey key = new NodeKey(keyMapping.apply(outcome.upstreamKey()), outcome.node());
        Node node = nodes.get(key);
        if (node == null) {
            if (nodes.size() >= MAX_NODES) {
                return; // a runaway key space (a bug in a caller) must not exhaust memory
            }
            node = nodes.computeIfAbsent(key, k -> new Node());
        }
        node.requests.increment();
        switch (outcome.result()) {
            case HTTP_5XX -> node.http5xx.increment();
            case HTTP_4XX -> node.http4xx.increment();
            case TIMEOUT -> node.timeout.increment();
            case CONNECT_ERROR -> node.connect.increment();
            case SUCCESS, OTHER_ERROR -> {}
        }
        long micros = Math.min(
                HIGHEST_MICROS,
                Math.max(0, TimeUnit.NANOSECONDS.toMicros(outcome.latency().toNanos())));
        node.latencies.recordValue(micros);
    }

    /** The deltas since the previous drain, per node with traffic. Call from one thread (the reporter's). */
    public Map<NodeKey, IntervalStats> drain() {
        Map<NodeKey, IntervalStats> out = new TreeMap<>();
        for (Map.Entry<NodeKey, Node> e : nodes.entrySet()) {
            Node n = e.getValue();
            Histogram h = n.latencies.getIntervalHistogram(n.spare);
            n.spare = h;
            long requests = n.requests.sumThenReset();
            long s5 = n.http5xx.sumThenReset();
            long s4 = n.http4xx.sumThenReset();
            long to = n.timeout.sumThenReset();
            long co = n.connect.sumThenReset();
            if (requests == 0) {
                if (++n.idleDrains >= IDLE_INTERVALS) {
                    nodes.remove(e.getKey(), n);
                }
                continue;
            }
            n.idleDrains = 0;
            Optional<Percentiles> latency = h.getTotalCount() == 0
                    ? Optional.empty()
                    : Optional.of(new Percentiles(ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9)));
            out.put(e.getKey(), new IntervalStats(requests, s5, s4, to, co, latency));
        }
        return out;
    }

    private static double ms(Histogram h, double percentile) {
        return Math.round(h.getValueAtPercentile(percentile) / 10.0) / 100.0;
    }
}
