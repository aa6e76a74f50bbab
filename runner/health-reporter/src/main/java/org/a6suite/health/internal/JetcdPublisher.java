package org.a6suite.health.internal;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.PutOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.a6suite.health.EtcdPublisher;

/**
 * jetcd-backed {@link EtcdPublisher}. One lease for the life of the reporter: each write first refreshes it
 * ({@code keepAliveOnce}) and then puts the key under it; if anything fails the lease is forgotten and the next write
 * grants a new one (after an etcd restart, or when the lease expired while etcd was unreachable). Each operation is
 * bounded by {@code timeout}, so an unreachable etcd never stalls the reporter's thread.
 */
public final class JetcdPublisher implements EtcdPublisher {

    private final Client client;
    private final Duration timeout;
    private volatile long leaseId;
    private volatile long leaseTtlSeconds;

    public JetcdPublisher(List<URI> endpoints, Duration timeout) {
        this.client = Client.builder()
                .endpoints(endpoints.stream().map(URI::toString).toArray(String[]::new))
                .connectTimeout(timeout)
                .build();
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<Void> publish(String key, String value, Duration ttl) {
        long ttlSeconds = Math.max(2, ttl.toSeconds());
        CompletableFuture<Long> lease;
        long current = leaseId;
        if (current == 0 || leaseTtlSeconds != ttlSeconds) {
            lease = bounded(client.getLeaseClient().grant(ttlSeconds)).thenApply(r -> {
                leaseId = r.getID();
                leaseTtlSeconds = ttlSeconds;
                return r.getID();
            });
        } else {
            lease = bounded(client.getLeaseClient().keepAliveOnce(current)).thenApply(r -> {
                if (r.getTTL() <= 0) {
                    throw new IllegalStateException("lease " + Long.toHexString(current) + " expired");
                }
                return current;
            });
        }
        return lease.thenCompose(id -> bounded(client.getKVClient()
                        .put(
                                bytes(key),
                                bytes(value),
                                PutOption.builder().withLeaseId(id).build())))
                .<Void>thenApply(r -> null)
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        leaseId = 0; // grant a fresh lease next time
                    }
                });
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return bounded(client.getKVClient().delete(bytes(key))).thenApply(r -> null);
    }

    @Override
    public CompletionStage<java.util.Map<String, String>> readPrefix(String prefix) {
        ByteSequence p = bytes(prefix);
        return bounded(client.getKVClient()
                        .get(
                                p,
                                io.etcd.jetcd.options.GetOption.builder()
                                        .isPrefix(true)
                                        .build()))
                .thenApply(r -> {
                    java.util.Map<String, String> out = new java.util.HashMap<>();
                    r.getKvs()
                            .forEach(kv -> out.put(
                                    kv.getKey().toString(StandardCharsets.UTF_8),
                                    kv.getValue().toString(StandardCharsets.UTF_8)));
                    return out;
                });
    }

    private <T> CompletableFuture<T> bounded(CompletableFuture<T> f) {
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}
