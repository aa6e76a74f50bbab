package org.a6suite.health.internal;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.health.EtcdPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a node's health document to etcd: as one key, or split into shards when it would exceed etcd's request
 * limit, deleting the shards a previous write used and this one does not (they share the live lease and would
 * otherwise stay). A failed write is retried with exponential backoff (one interval, doubling, capped at {@code
 * maxBackoff}); etcd is logged once when it starts failing and once when it recovers.
 */
public final class DocumentPublication {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentPublication.class);

    /** Below etcd's default 1.5 MiB request limit, with room for the request's own framing. */
    public static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

    private final EtcdPublisher publisher;
    private final Clock clock;
    private final String key;
    private final Duration leaseTtl;
    private final Duration interval;
    private final Duration maxBackoff;
    private final String etcdEndpoints;
    private final AtomicLong published = new AtomicLong();

    private volatile int maxDocumentBytes = MAX_DOCUMENT_BYTES;
    /** Shards written last time (0: one unsharded document), so shards no longer needed are deleted. */
    private volatile int writtenShards;

    private volatile int etcdFailures;
    private volatile long nextAttemptMs = Long.MIN_VALUE;

    public DocumentPublication(
            EtcdPublisher publisher,
            Clock clock,
            String key,
            Duration leaseTtl,
            Duration interval,
            Duration maxBackoff,
            String etcdEndpoints) {
        this.publisher = requireNonNull(publisher, "publisher");
        this.clock = requireNonNull(clock, "clock");
        this.key = requireNonNull(key, "key");
        this.leaseTtl = requireNonNull(leaseTtl, "leaseTtl");
        this.interval = requireNonNull(interval, "interval");
        this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff");
        this.etcdEndpoints = requireNonNull(etcdEndpoints, "etcdEndpoints");
    }

    /** For tests: a smaller size limit so sharding can be observed. */
    public void maxDocumentBytes(int bytes) {
        this.maxDocumentBytes = bytes;
    }

    /** Documents written to etcd so far. */
    public long publishedCount() {
        return published.get();
    }

    /** Writes {@code doc} unless backing off after a failure ({@code now} before the next attempt's time). */
    public CompletionStage<Void> publish(String doc, long now) {
        if (now < nextAttemptMs) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Void> write;
        List<String> shards;
        try {
            shards = DocumentShards.split(doc, maxDocumentBytes);
            write = writeShards(shards);
        } catch (RuntimeException e) {
            shards = List.of(doc);
            write = CompletableFuture.failedFuture(e);
        }
        int shardCount = shards.size() == 1 ? 0 : shards.size();
        return write.handle((ok, error) -> {
            if (error == null) {
                succeeded(shardCount);
            } else {
                failed(error);
            }
            return null;
        });
    }

    private void succeeded(int shardCount) {
        writtenShards = shardCount;
        published.incrementAndGet();
        if (etcdFailures > 0) {
            LOG.info("health reporter: writing {} to etcd again after {} failed attempts", key, etcdFailures);
        }
        etcdFailures = 0;
        nextAttemptMs = Long.MIN_VALUE;
    }

    private void failed(Throwable error) {
        int failures = ++etcdFailures;
        long backoff = Math.min(maxBackoff.toMillis(), interval.toMillis() << Math.min(20, failures - 1));
        nextAttemptMs = clock.millis() + backoff;
        if (failures == 1) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            LOG.warn(
                    "health reporter: cannot write {} to etcd {} ({}); retrying with backoff up to {} ms, "
                            + "requests are not affected",
                    key,
                    etcdEndpoints,
                    cause.toString(),
                    maxBackoff.toMillis());
        }
    }

    /** One document at {@code <key>}, or shards at {@code <key>/<n>}; then the stale keys of the previous write. */
    private CompletionStage<Void> writeShards(List<String> shards) {
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        int previous = writtenShards;
        if (shards.size() == 1) {
            chain = publisher.publish(key, shards.get(0), leaseTtl);
            return deleteShards(chain, 0, previous);
        }
        for (int i = 0; i < shards.size(); i++) {
            String shardKey = key + "/" + i;
            String shard = shards.get(i);
            chain = chain.thenCompose(v -> publisher.publish(shardKey, shard, leaseTtl));
        }
        if (previous == 0) {
            chain = chain.thenCompose(v -> publisher.delete(key));
        }
        return deleteShards(chain, shards.size(), previous);
    }

    private CompletionStage<Void> deleteShards(CompletionStage<Void> chain, int from, int to) {
        for (int i = from; i < to; i++) {
            String stale = key + "/" + i;
            chain = chain.thenCompose(v -> publisher.delete(stale));
        }
        return chain;
    }
}
