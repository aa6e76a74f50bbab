package org.a6suite.optimizer.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.model.ClusterSnapshot;
import org.a6suite.optimizer.model.HealthDocument;
import org.a6suite.optimizer.model.RouteInfo;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * An in-memory mirror of what the optimizer reads from etcd, kept current by one {@link PrefixWatcher} per prefix:
 * {@code <apisix>/upstreams/}, {@code <apisix>/routes/}, {@code <apisix>/services/}, the health prefix and the
 * optimizer's own state prefix (policies, pauses, baselines, history). Values are parsed once, when they change;
 * {@link #snapshot()} hands out an immutable view.
 */
public final class EtcdMirror implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EtcdMirror.class);

    private final String apisixPrefix;
    private final String healthPrefix;
    private final String statePrefix;
    private final Clock clock;
    private final Timer watchLag;
    private final List<PrefixWatcher> watchers = new ArrayList<>();

    private final Map<UpstreamRef, UpstreamConfig> upstreams = new ConcurrentHashMap<>();
    private final Map<UpstreamRef, RouteInfo> routes = new ConcurrentHashMap<>();
    private final Map<String, HealthDocument> health = new ConcurrentHashMap<>();
    // Sorted, so the keys under one prefix (an upstream's history) are a sub-map, not a scan of everything.
    private final java.util.concurrent.ConcurrentSkipListMap<String, KeyValue> state =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    public EtcdMirror(
            Client client,
            String apisixPrefix,
            String healthPrefix,
            String statePrefix,
            Clock clock,
            MeterRegistry meters,
            ScheduledExecutorService scheduler) {
        requireNonNull(client, "client");
        this.apisixPrefix = Etcd.dir(requireNonNull(apisixPrefix, "apisixPrefix"));
        this.healthPrefix = Etcd.dir(requireNonNull(healthPrefix, "healthPrefix"));
        this.statePrefix = Etcd.dir(requireNonNull(statePrefix, "statePrefix"));
        this.clock = requireNonNull(clock, "clock");
        this.watchLag = Timer.builder("a6.optimizer.watch.lag")
                .description("Age of a health document when the optimizer received it (now - generated_at_ms)")
                .register(requireNonNull(meters, "meters"));
        for (String kind : List.of("upstreams", "routes", "services")) {
            watchers.add(
                    new PrefixWatcher(client, this.apisixPrefix + kind + "/", new ApisixListener(kind), scheduler));
        }
        // Health documents may be up to etcd's request limit (1.5 MiB) each: read them a few at a time.
        watchers.add(new PrefixWatcher(client, this.healthPrefix, new HealthListener(), scheduler, 2));
        watchers.add(new PrefixWatcher(client, this.statePrefix, new StateListener(), scheduler));
    }

    public void start() {
        watchers.forEach(PrefixWatcher::start);
    }

    /** True when every prefix has been read and is being watched. */
    public boolean synced() {
        return watchers.stream().allMatch(PrefixWatcher::synced);
    }

    /** Blocks (bounded) until {@link #synced()}; returns whether it got there. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!synced()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return true;
    }

    /** Times any watch had to re-read its prefix (compaction, etcd restart). */
    public int resyncs() {
        return watchers.stream().mapToInt(PrefixWatcher::resyncs).sum();
    }

    public ClusterSnapshot snapshot() {
        return new ClusterSnapshot(upstreams, routes, health);
    }

    /** The optimizer's own keys under the state prefix, relative to it (e.g. {@code policies/default}). */
    public Map<String, KeyValue> state() {
        return Map.copyOf(state);
    }

    public Optional<KeyValue> state(String relativeKey) {
        return Optional.ofNullable(state.get(relativeKey));
    }

    /** The optimizer's keys starting with {@code relativePrefix}, in key order. */
    public List<KeyValue> stateUnder(String relativePrefix) {
        return List.copyOf(state.subMap(relativePrefix, relativePrefix + Character.MAX_VALUE)
                .values());
    }

    public String apisixPrefix() {
        return apisixPrefix;
    }

    public String statePrefix() {
        return statePrefix;
    }

    @Override
    public void close() {
        watchers.forEach(PrefixWatcher::close);
    }

    private final class ApisixListener implements PrefixWatcher.Listener {
        private final String kind;
        private final String dir;

        ApisixListener(String kind) {
            this.kind = kind;
            this.dir = apisixPrefix + kind + "/";
        }

        @Override
        public void onReset(Map<String, KeyValue> all, long revision) {
            upstreams.keySet().removeIf(r -> r.kind().equals(kind) && !all.containsKey(dir + r.id()));
            routes.keySet().removeIf(r -> r.kind().equals(kind) && !all.containsKey(dir + r.id()));
            all.values().forEach(this::onPut);
        }

        @Override
        public void onPut(KeyValue kv) {
            String id = kv.key().substring(dir.length());
            if (id.isEmpty() || id.contains("/")) {
                return; // the init_dir placeholder "<prefix>/<kind>/" or something nested that APISIX never writes
            }
            UpstreamRef ref = new UpstreamRef(kind, id);
            Optional<JsonNode> tree = ApisixObjectParser.tree(kv.value());
            if (tree.isEmpty()) {
                upstreams.remove(ref);
                routes.remove(ref);
                return;
            }
            ApisixObjectParser.upstream(ref, kv.modRevision(), tree.get())
                    .ifPresentOrElse(u -> upstreams.put(ref, u), () -> upstreams.remove(ref));
            if (!kind.equals("upstreams")) {
                routes.put(ref, ApisixObjectParser.route(ref, tree.get()));
            }
        }

        @Override
        public void onDelete(String key, long revision) {
            String id = key.substring(dir.length());
            if (id.isEmpty() || id.contains("/")) {
                return;
            }
            UpstreamRef ref = new UpstreamRef(kind, id);
            upstreams.remove(ref);
            routes.remove(ref);
        }
    }

    private final class HealthListener implements PrefixWatcher.Listener {
        @Override
        public void onReset(Map<String, KeyValue> all, long revision) {
            health.keySet().removeIf(k -> !all.containsKey(healthPrefix + k));
            all.values().forEach(kv -> put(kv, false));
        }

        @Override
        public void onPut(KeyValue kv) {
            put(kv, true);
        }

        private void put(KeyValue kv, boolean live) {
            String nodeKey = kv.key().substring(healthPrefix.length());
            if (nodeKey.isEmpty()) {
                return;
            }
            try {
                HealthDocument doc = HealthDocumentParser.parse(kv.value());
                health.put(nodeKey, doc);
                if (live) {
                    watchLag.record(Math.max(0, clock.millis() - doc.generatedAtMs()), TimeUnit.MILLISECONDS);
                }
            } catch (IllegalArgumentException e) {
                log.warn("ignoring health document {}: {}", kv.key(), e.getMessage());
                health.remove(nodeKey);
            }
        }

        @Override
        public void onDelete(String key, long revision) {
            health.remove(key.substring(healthPrefix.length()));
        }
    }

    private final class StateListener implements PrefixWatcher.Listener {
        @Override
        public void onReset(Map<String, KeyValue> all, long revision) {
            state.keySet().removeIf(k -> !all.containsKey(statePrefix + k));
            all.values().forEach(this::onPut);
        }

        @Override
        public void onPut(KeyValue kv) {
            String rel = kv.key().substring(statePrefix.length());
            state.put(rel, new KeyValue(rel, kv.value(), kv.modRevision()));
        }

        @Override
        public void onDelete(String key, long revision) {
            state.remove(key.substring(statePrefix.length()));
        }
    }
}
