package org.a6suite.optimizer.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors one etcd prefix: reads it whole, then watches from the read's revision + 1 and reports every change to a
 * {@link Listener}. After a compaction (the watch's start revision is gone) it reads the prefix again and reports a
 * reset; after any other watch failure (etcd restarted, member without a leader) it does the same after a backoff
 * that doubles from 100 ms up to 2 s. Watches require a leader so an isolated member fails loudly instead of going
 * quiet.
 *
 * <p>Callbacks arrive on jetcd's threads or the scheduler, one at a time per watcher.
 */
public final class PrefixWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrefixWatcher.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_PAGES = 1_000_000;
    /** Keys per page of the initial read, for prefixes of small values. */
    public static final int DEFAULT_PAGE_SIZE = 500;

    /** Receives the prefix's content. */
    public interface Listener {
        /** The whole prefix, as read at {@code revision}; replaces everything reported before. */
        void onReset(Map<String, KeyValue> all, long revision);

        /** A key was created or changed. */
        void onPut(KeyValue kv);

        /** A key was deleted. */
        void onDelete(String key, long revision);
    }

    private final Client client;
    private final String prefix;
    private final Listener listener;
    private final ScheduledExecutorService scheduler;
    private final int pageSize;

    private final Object lock = new Object();
    private Watch.Watcher watcher;
    private long generation;
    private Duration backoff = MIN_BACKOFF;
    private volatile long revision;
    private volatile boolean synced;
    private volatile boolean closed;
    private volatile int resyncs;

    public PrefixWatcher(Client client, String prefix, Listener listener, ScheduledExecutorService scheduler) {
        this(client, prefix, listener, scheduler, DEFAULT_PAGE_SIZE);
    }

    /**
     * @param pageSize keys per page of the (re-)read; small for prefixes with big values such as health documents
     */
    public PrefixWatcher(
            Client client, String prefix, Listener listener, ScheduledExecutorService scheduler, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize: " + pageSize + " (expected: >= 1)");
        }
        this.pageSize = pageSize;
        this.client = requireNonNull(client, "client");
        this.prefix = Etcd.dir(requireNonNull(prefix, "prefix"));
        this.listener = requireNonNull(listener, "listener");
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /** Starts reading and watching in the background. */
    public void start() {
        scheduler.execute(this::sync);
    }

    /** True once the prefix has been read and is being watched. */
    public boolean synced() {
        return synced;
    }

    /** The last revision this watcher has seen. */
    public long revision() {
        return revision;
    }

    /** How many times the prefix was re-read after the first read (compactions, restarts). */
    public int resyncs() {
        return resyncs;
    }

    public String prefix() {
        return prefix;
    }

    private void sync() {
        if (closed) {
            return;
        }
        long gen;
        Watch.Watcher old;
        synchronized (lock) {
            gen = ++generation;
            old = watcher;
            watcher = null;
        }
        closeQuietly(old);
        try {
            // Paged at one revision: a large prefix (10,000 upstreams, big health documents) must not exceed gRPC's
            // message limit in one response, and every page must show the same moment.
            Map<String, KeyValue> all = new LinkedHashMap<>();
            GetResponse response = client.getKVClient()
                    .get(
                            Etcd.bytes(prefix),
                            GetOption.builder()
                                    .isPrefix(true)
                                    .withLimit(pageSize)
                                    .withSortField(GetOption.SortTarget.KEY)
                                    .withSortOrder(GetOption.SortOrder.ASCEND)
                                    .build())
                    .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long pinned = response.getHeader().getRevision();
            for (int page = 0; ; page++) {
                String last = null;
                for (io.etcd.jetcd.KeyValue kv : response.getKvs()) {
                    String key = Etcd.string(kv.getKey());
                    all.put(key, new KeyValue(key, Etcd.string(kv.getValue()), kv.getModRevision()));
                    last = key;
                }
                if (!response.isMore() || last == null || page > MAX_PAGES) {
                    break;
                }
                response = client.getKVClient()
                        .get(
                                Etcd.bytes(last + "\0"),
                                GetOption.builder()
                                        .withRange(Etcd.bytes(rangeEnd(prefix)))
                                        .withRevision(pinned)
                                        .withLimit(pageSize)
                                        .withSortField(GetOption.SortTarget.KEY)
                                        .withSortOrder(GetOption.SortOrder.ASCEND)
                                        .build())
                        .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            long rev = pinned;
            synchronized (lock) {
                if (closed || gen != generation) {
                    return;
                }
                revision = rev;
                listener.onReset(all, rev);
            }
            // Never call jetcd while holding our lock: jetcd calls our listener while holding its own.
            Watch.Watcher opened = watch(gen, rev + 1);
            boolean stale;
            synchronized (lock) {
                stale = closed || gen != generation;
                if (!stale) {
                    watcher = opened;
                    synced = true;
                    backoff = MIN_BACKOFF;
                }
            }
            if (stale) {
                closeQuietly(opened);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failed(gen, e);
        }
    }

    /** The first key after every key starting with {@code prefix}: the prefix with its last byte incremented. */
    static String rangeEnd(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }

    /** Opens a watch whose events count only while {@code gen} is current; the caller must not hold {@code lock}. */
    private Watch.Watcher watch(long gen, long fromRevision) {
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withRevision(fromRevision)
                .withRequireLeader(true)
                .build();
        return client.getWatchClient().watch(Etcd.bytes(prefix), option, new Watch.Listener() {
            @Override
            public void onNext(WatchResponse r) {
                handle(gen, r);
            }

            @Override
            public void onError(Throwable t) {
                failed(gen, t);
            }

            @Override
            public void onCompleted() {
                failed(gen, new IllegalStateException("watch completed"));
            }
        });
    }

    /**
     * Test hook: watches from {@code fromRevision} without reading first, as a watcher that fell behind would after a
     * disconnection. If that revision was compacted, the watcher must re-read.
     */
    void forceWatchFrom(long fromRevision) {
        long gen;
        Watch.Watcher old;
        synchronized (lock) {
            gen = ++generation;
            old = watcher;
            watcher = null;
            revision = fromRevision - 1;
        }
        closeQuietly(old);
        Watch.Watcher opened = watch(gen, fromRevision);
        synchronized (lock) {
            if (gen == generation && !closed) {
                watcher = opened;
                return;
            }
        }
        closeQuietly(opened);
    }

    private static void closeQuietly(Watch.Watcher w) {
        if (w == null) {
            return;
        }
        try {
            w.close();
        } catch (RuntimeException e) {
            log.debug("closing a watch failed: {}", e.toString());
        }
    }

    private void handle(long gen, WatchResponse response) {
        synchronized (lock) {
            if (closed || gen != generation) {
                return;
            }
            for (WatchEvent event : response.getEvents()) {
                io.etcd.jetcd.KeyValue kv = event.getKeyValue();
                String key = Etcd.string(kv.getKey());
                switch (event.getEventType()) {
                    case PUT -> listener.onPut(new KeyValue(key, Etcd.string(kv.getValue()), kv.getModRevision()));
                    case DELETE -> listener.onDelete(key, kv.getModRevision());
                    default -> log.debug("ignoring watch event {} on {}", event.getEventType(), key);
                }
            }
            revision = Math.max(revision, response.getHeader().getRevision());
        }
    }

    private void failed(long gen, Throwable t) {
        Duration delay;
        synchronized (lock) {
            if (closed || gen != generation) {
                return;
            }
            // Invalidate this generation so a late event from the broken watch cannot interleave with the re-read.
            generation++;
            synced = false;
            resyncs++;
            Throwable cause =
                    t instanceof java.util.concurrent.ExecutionException && t.getCause() != null ? t.getCause() : t;
            if (cause instanceof CompactedException c) {
                log.info("watch on {} hit compaction at revision {}: re-reading", prefix, c.getCompactedRevision());
                delay = Duration.ZERO;
            } else {
                delay = backoff;
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                log.info("watch on {} failed ({}): re-reading in {} ms", prefix, cause.toString(), delay.toMillis());
            }
        }
        if (!closed) {
            try {
                scheduler.schedule(this::sync, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("scheduler stopped: not re-reading {}", prefix);
            }
        }
    }

    @Override
    public void close() {
        Watch.Watcher old;
        synchronized (lock) {
            closed = true;
            generation++;
            old = watcher;
            watcher = null;
        }
        closeQuietly(old);
    }
}
