package org.a6suite.health;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Writes one document under a lease; the etcd side of the reporter, separate so tests can observe it. */
public interface EtcdPublisher extends AutoCloseable {

    /**
     * Writes {@code value} at {@code key} attached to a lease of {@code ttl}, refreshing the lease so the key lives
     * about {@code ttl} past the last successful write.
     */
    CompletionStage<Void> publish(String key, String value, Duration ttl);

    /** Deletes {@code key} (a shard the reporter no longer writes); deleting an absent key succeeds. */
    CompletionStage<Void> delete(String key);

    /**
     * Reads every key under {@code prefix} (APISIX's route and service objects, for upstream-key resolution).
     * The default reads nothing.
     */
    default CompletionStage<java.util.Map<String, String>> readPrefix(String prefix) {
        return java.util.concurrent.CompletableFuture.completedFuture(java.util.Map.of());
    }

    @Override
    void close();
}
