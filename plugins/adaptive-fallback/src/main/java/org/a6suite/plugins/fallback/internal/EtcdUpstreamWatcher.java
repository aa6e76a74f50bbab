package org.a6suite.plugins.fallback.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps the latest version of one APISIX upstream, {@code <prefix>/upstreams/<id>}, read from etcd and watched.
 *
 * <p>Like jetcd's own recipe and APISIX's config watcher: read the key, remember the response's header revision, and
 * watch from that revision + 1, so no write between the read and the watch is lost. A watch that fails because its
 * revision was compacted is its own case: re-read the key (the value is current again) and watch from the new
 * revision. Any other failure re-reads after a second, doubling up to 30 s. A value that does not parse keeps the
 * previous version (logged once per revision): the optimizer or an operator wrote something APISIX would also reject.
 * A deleted key empties the view: the lane then answers with its fallback.
 */
public final class EtcdUpstreamWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdUpstreamWatcher.class);
    private static final ObjectMapper JSON = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
                    // Bounded reads: nesting and size limits, so hostile JSON is refused instead of walking the stack.
                    .streamReadConstraints(tools.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(128)
                            .maxDocumentLength(64L * 1024 * 1024)
                            .build())
                    .build())
            .build();
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Client client;
    private final String key;
    private final ScheduledExecutorService timer;
    private final AtomicReference<Optional<WeightedBalancer>> current = new AtomicReference<>(Optional.empty());
    private final CompletableFuture<Void> firstRead = new CompletableFuture<>();
    private volatile Watch.Watcher watcher;
    private volatile boolean closed;
    private volatile long revision;
    private Duration backoff = Duration.ofSeconds(1);

    /**
     * Starts reading and watching {@code <prefix>/upstreams/<id>}.
     *
     * @param timer runs the re-reads after a failure
     */
    public EtcdUpstreamWatcher(Client client, String prefix, String upstreamId, ScheduledExecutorService timer) {
        this.client = requireNonNull(client, "client");
        this.key = requireNonNull(prefix, "prefix") + "/upstreams/" + requireNonNull(upstreamId, "upstreamId");
        this.timer = requireNonNull(timer, "timer");
        read();
    }

    /** The latest parsed upstream, empty before the first read or while the key is absent. */
    public Optional<WeightedBalancer> current() {
        return current.get();
    }

    /** Completes once the first read finished (successfully or not). */
    public CompletableFuture<Void> firstRead() {
        return firstRead;
    }

    /** The etcd revision the view reflects. */
    public long revision() {
        return revision;
    }

    public String key() {
        return key;
    }

    private void read() {
        if (closed) {
            return;
        }
        ByteSequence k = ByteSequence.from(key, UTF_8);
        client.getKVClient().get(k).whenComplete((response, error) -> {
            if (error != null) {
                LOG.warn(
                        "adaptive-fallback: reading {} from etcd failed ({}); retrying in {} s",
                        key,
                        error.getMessage(),
                        backoff.toSeconds());
                firstRead.complete(null);
                retryLater();
                return;
            }
            backoff = Duration.ofSeconds(1);
            long rev = response.getHeader().getRevision();
            apply(response.getKvs().isEmpty() ? null : response.getKvs().getFirst(), rev);
            firstRead.complete(null);
            watchFrom(rev + 1);
        });
    }

    private void watchFrom(long rev) {
        if (closed) {
            return;
        }
        WatchOption option =
                WatchOption.builder().withRevision(rev).withRequireLeader(true).build();
        watcher = client.getWatchClient()
                .watch(ByteSequence.from(key, UTF_8), option, Watch.listener(this::onEvents, this::onWatchError));
    }

    private void onEvents(WatchResponse response) {
        for (WatchEvent event : response.getEvents()) {
            switch (event.getEventType()) {
                case PUT -> apply(event.getKeyValue(), event.getKeyValue().getModRevision());
                case DELETE -> apply(null, event.getKeyValue().getModRevision());
                default -> {}
            }
        }
    }

    private void onWatchError(Throwable error) {
        if (closed) {
            return;
        }
        Watch.Watcher w = watcher;
        if (w != null) {
            w.close();
        }
        if (error instanceof CompactedException) {
            // Events we missed are gone: the current value is all there is, read it again.
            LOG.info(
                    "adaptive-fallback: watch of {} compacted at revision {}; re-reading",
                    key,
                    ((CompactedException) error).getCompactedRevision());
            read();
            return;
        }
        LOG.warn(
                "adaptive-fallback: watch of {} failed ({}); re-reading in {} s",
                key,
                error.getMessage(),
                backoff.toSeconds());
        retryLater();
    }

    private void retryLater() {
        if (closed) {
            return;
        }
        Duration wait = backoff;
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        timer.schedule(this::read, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void apply(KeyValue kv, long rev) {
        revision = rev;
        if (kv == null) {
            LOG.info("adaptive-fallback: {} is absent (revision {}); lane requests get the fallback", key, rev);
            current.set(Optional.empty());
            return;
        }
        String text = kv.getValue().toString(UTF_8);
        if (text.equals("init_dir")) {
            return; // APISIX's directory placeholder
        }
        try {
            UpstreamSpec spec = UpstreamSpec.parse(key, JSON.readTree(text));
            current.set(Optional.of(new WeightedBalancer(spec)));
            LOG.debug(
                    "adaptive-fallback: {} at revision {}: {} nodes",
                    key,
                    rev,
                    spec.nodes().size());
        } catch (RuntimeException e) {
            LOG.warn(
                    "adaptive-fallback: {} at revision {} is not a usable upstream ({}); keeping the previous "
                            + "version",
                    key,
                    rev,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        Watch.Watcher w = watcher;
        if (w != null) {
            w.close();
        }
    }
}
