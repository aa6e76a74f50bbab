package org.a6suite.emulator;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.a6suite.emulator.internal.Engine.ResolvedRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the emulator's routes from etcd as an APISIX worker does: {@code <prefix>/routes/}, {@code <prefix>/upstreams/}
 * and {@code <prefix>/services/} read whole, then watched from the read's revision + 1. Part of the APISIX emulator, a
 * TEST AND DEVELOPMENT FIXTURE that is never shipped as a gateway. This class keeps the key table in step with etcd;
 * {@link RouteResolver} maps the table into routes by the rules below.
 *
 * <ul>
 *   <li>Values are APISIX's plain JSON objects; {@code init_dir} placeholders ({@code apisix init_etcd}) and the
 *       directory keys themselves are skipped.</li>
 *   <li>A route's upstream is, first found: its inline {@code upstream}, its {@code upstream_id}, its service's
 *       inline {@code upstream}, its service's {@code upstream_id}. A route-level {@code timeout} overrides the
 *       upstream's. A missing upstream object leaves the route with no node (502, as APISIX answers); a missing
 *       service drops the route (APISIX answers 404).</li>
 *   <li>PrepareConf keys use the etcd {@code mod_revision}: {@code route#<id>#<plugin>#<route mod_revision>}, or
 *       {@code route&service#<id>&<service id>#<plugin>#<route rev>&<service rev>} with a service (APISIX's
 *       {@code conf_type}, {@code conf_id}, {@code conf_version}).</li>
 *   <li>After a compaction the watch is gone: the prefix is read again and watched from the new revision. After any
 *       other watch failure (etcd restarted) the same happens after a backoff doubling from 100 ms to 2 s (APISIX
 *       waits 5 s plus jitter; a fixture has no reason to be that slow). Watches require a leader.</li>
 *   <li>A route the emulator cannot run (another plugin than the ext-plugins and {@code prometheus}, another balancer
 *       type than {@code roundrobin}, invalid JSON) is left out and logged at ERROR.</li>
 * </ul>
 *
 * <p>Every change re-resolves the whole table and hands it to the engine at once, so a weight change applies from the
 * next request.
 */
public final class EtcdRouteSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EtcdRouteSource.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final Client client;
    private final String prefix;
    private final Consumer<List<ResolvedRoute>> sink;
    private final RouteResolver resolver;
    private final ScheduledExecutorService executor;

    // Confined to the executor thread.
    private final Map<String, RouteResolver.Entry> kvs = new TreeMap<>();
    private Watch.Watcher watcher;
    private long generation;
    private Duration backoff = MIN_BACKOFF;

    private volatile long revision;
    private volatile boolean synced;
    private volatile int resyncs = -1;
    private volatile boolean closed;

    EtcdRouteSource(List<String> endpoints, String prefix, Consumer<List<ResolvedRoute>> sink) {
        requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd endpoints: [] (expected: at least one URL)");
        }
        this.prefix = normalize(requireNonNull(prefix, "prefix"));
        this.sink = requireNonNull(sink, "sink");
        this.resolver = new RouteResolver(this.prefix);
        this.client =
                Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "emulator-etcd");
            t.setDaemon(true);
            return t;
        });
    }

    private static String normalize(String prefix) {
        if (!prefix.startsWith("/")) {
            throw new IllegalArgumentException("etcd prefix: " + prefix + " (expected: starts with '/', e.g. /apisix)");
        }
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    void start() {
        executor.execute(this::sync);
    }

    /** True once the prefix has been read and is being watched. */
    public boolean synced() {
        return synced;
    }

    /** The last etcd revision applied. */
    public long revision() {
        return revision;
    }

    /** How many times the prefix was read again after the first read (compactions, restarts). */
    public int resyncs() {
        return Math.max(0, resyncs);
    }

    /** The prefix, without a trailing slash ({@code /apisix}). */
    public String prefix() {
        return prefix;
    }

    /**
     * Reopens the watch from {@code fromRevision}, as a worker whose watch fell behind would. Tests use it to reach a
     * compacted revision on purpose; the source then reads everything again.
     */
    public void watchFrom(long fromRevision) {
        run(() -> {
            long gen = ++generation;
            closeWatcher();
            watch(gen, fromRevision);
        });
    }

    private void sync() {
        if (closed) {
            return;
        }
        long gen = ++generation;
        closeWatcher();
        try {
            GetResponse response = client.getKVClient()
                    .get(bytes(prefix + "/"), GetOption.builder().isPrefix(true).build())
                    .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            kvs.clear();
            for (io.etcd.jetcd.KeyValue kv : response.getKvs()) {
                kvs.put(string(kv.getKey()), new RouteResolver.Entry(string(kv.getValue()), kv.getModRevision()));
            }
            revision = response.getHeader().getRevision();
            resyncs++;
            publish();
            watch(gen, revision + 1);
            synced = true;
            backoff = MIN_BACKOFF;
            log.info(
                    "emulator: read {} keys under {} at revision {}, watching from {}",
                    kvs.size(),
                    prefix,
                    revision,
                    revision + 1);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failed(gen, e);
        }
    }

    private void watch(long gen, long fromRevision) {
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withRevision(fromRevision)
                .withRequireLeader(true)
                .build();
        watcher = client.getWatchClient().watch(bytes(prefix + "/"), option, new Watch.Listener() {
            @Override
            public void onNext(WatchResponse r) {
                run(() -> handle(gen, r));
            }

            @Override
            public void onError(Throwable t) {
                run(() -> failed(gen, t));
            }

            @Override
            public void onCompleted() {
                run(() -> failed(gen, new IllegalStateException("watch completed")));
            }
        });
    }

    private void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: late callbacks from jetcd have nothing left to update
        }
    }

    private void handle(long gen, WatchResponse r) {
        if (closed || gen != generation) {
            return;
        }
        for (WatchEvent e : r.getEvents()) {
            String key = string(e.getKeyValue().getKey());
            switch (e.getEventType()) {
                case PUT ->
                    kvs.put(
                            key,
                            new RouteResolver.Entry(
                                    string(e.getKeyValue().getValue()),
                                    e.getKeyValue().getModRevision()));
                case DELETE -> kvs.remove(key);
                default -> {
                    // UNRECOGNIZED: nothing to apply
                }
            }
        }
        revision = Math.max(revision, r.getHeader().getRevision());
        if (!r.getEvents().isEmpty()) {
            publish();
        }
    }

    private void failed(long gen, Throwable t) {
        if (closed || gen != generation) {
            return;
        }
        closeWatcher();
        if (t instanceof CompactedException c) {
            log.info(
                    "emulator: watch on {} compacted at {}, reading everything again",
                    prefix,
                    c.getCompactedRevision());
            executor.execute(this::sync);
            return;
        }
        log.warn(
                "emulator: etcd watch on {} failed ({}), reading again in {} ms",
                prefix,
                t.toString(),
                backoff.toMillis());
        executor.schedule(this::sync, backoff.toMillis(), TimeUnit.MILLISECONDS);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private void closeWatcher() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    /** Hands the whole table, resolved again, to the engine: a weight change applies from the next request. */
    private void publish() {
        sink.accept(resolver.resolveAll(kvs));
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        executor.execute(this::closeWatcher);
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
