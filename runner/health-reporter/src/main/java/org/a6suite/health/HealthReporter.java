package org.a6suite.health;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.health.internal.ControlApiParser;
import org.a6suite.health.internal.DocumentShards;
import org.a6suite.health.internal.DocumentWriter;
import org.a6suite.health.internal.IntervalStats;
import org.a6suite.health.internal.NodeKey;
import org.a6suite.health.internal.NodeResolver;
import org.a6suite.health.internal.OutcomeAggregator;
import org.a6suite.health.internal.PrometheusDeltas;
import org.a6suite.health.internal.PrometheusText;
import org.a6suite.plugin.OutcomeRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every interval, builds this APISIX node's health document from the runner's recorded outcomes, APISIX's
 * prometheus exporter and its Control API, and writes it to etcd at {@code <prefix>/<node-id>} under a lease of about
 * three intervals, so the document of a node that stops disappears by itself.
 *
 * <p>With APISIX's prometheus exporter as a source, documents follow the exporter rather than the clock: APISIX
 * serves metrics it re-renders every {@code refresh_interval} (15 s by default), so most scrapes see the counters of
 * the previous one. Such a tick publishes nothing new (it rewrites the previous document to keep the lease); the
 * next document covers the whole period since the previous one and says so ({@code interval_ms}, {@code requests}).
 *
 * <p>Failure behaviour: a source that cannot be read is left out of that interval's document; an etcd that cannot be
 * written is retried with exponential backoff (one interval, doubling, capped at {@link #maxBackoff}); requests are
 * never affected. Each source and etcd are logged once when they start failing and once when they recover, never
 * every interval. Documents built while etcd is unreachable are dropped (their counts are per-interval deltas).
 *
 * <p>Time: the schedule runs on the injected executor, {@code generated_at_ms} comes from the injected clock, and
 * {@link #tick()} can be called directly by tests.
 */
public final class HealthReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthReporter.class);
    /** Where APISIX keeps its configuration in etcd (APISIX's default {@code etcd.prefix}). */
    public static final String APISIX_PREFIX = "/apisix";

    static final int RESOLVE_EVERY = 6;

    private final HealthReporterConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final EtcdPublisher publisher;
    private final HttpSource http;
    private final OutcomeAggregator outcomes;
    private final PrometheusDeltas prometheus;
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final AtomicReference<String> lastDocument = new AtomicReference<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicBoolean prometheusFailing = new AtomicBoolean();
    private final AtomicBoolean controlFailing = new AtomicBoolean();
    private final Duration maxBackoff;
    /** APISIX's own route/service data: route -> upstream key, refreshed every {@link #RESOLVE_EVERY} ticks. */
    private volatile Map<String, String> resolvedKeys = Map.of();

    private final java.util.List<java.util.function.Consumer<String>> documentListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Called with every document built, before it is published (whether or not etcd is reachable). */
    public HealthReporter addDocumentListener(java.util.function.Consumer<String> listener) {
        documentListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** The nodes APISIX's configuration names (host:port per upstream key), refreshed with {@link #resolvedKeys}. */
    private volatile java.util.Set<NodeKey> configuredNodes = java.util.Set.of();

    private long ticks;
    /** Where the period of the next document starts: the previous document's time (the start for the first). */
    private volatile long windowStartMs;
    /** When the exporter last showed refreshed text (a change, the baseline, or a refresh proven by elapsed time). */
    private volatile long exporterRefreshedAtMs;

    private volatile int etcdFailures;
    private volatile long nextAttemptMs = Long.MIN_VALUE;
    private volatile ScheduledFuture<?> schedule;

    public HealthReporter(
            HealthReporterConfig config,
            Clock clock,
            ScheduledExecutorService scheduler,
            EtcdPublisher publisher,
            HttpSource http) {
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.publisher = requireNonNull(publisher, "publisher");
        this.http = requireNonNull(http, "http");
        this.prometheus = new PrometheusDeltas(this::mapKey);
        this.outcomes = new OutcomeAggregator(this::mapKey);
        Duration eight = config.interval().multipliedBy(8);
        Duration thirty = Duration.ofSeconds(30);
        this.windowStartMs = clock.millis();
        this.exporterRefreshedAtMs = clock.millis();
        this.maxBackoff = eight.compareTo(thirty) < 0
                ? eight
                : (config.interval().compareTo(thirty) > 0 ? config.interval() : thirty);
    }

    /** Starts ticking every interval on the scheduler. */
    public HealthReporter start() {
        long ms = config.interval().toMillis();
        schedule = scheduler.scheduleAtFixedRate(this::tickQuietly, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Where the runner's outcomes go ({@code RunnerHooks.addOutcomeListener}). */
    public OutcomeRecorder outcomeRecorder() {
        return outcomes;
    }

    public HealthReporterConfig config() {
        return config;
    }

    /** The last document built (published or not). */
    public Optional<String> lastDocument() {
        return Optional.ofNullable(lastDocument.get());
    }

    /** Documents written to etcd so far. */
    public long publishedCount() {
        return published.get();
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("health reporter tick failed", e);
        }
    }

    /**
     * One interval: collect, build, publish (unless backing off). A tick still running when the next is due makes
     * that one skip, so slow sources never pile up.
     */
    public CompletionStage<Void> tick() {
        if (!ticking.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        long now = clock.millis();
        if (ticks++ % RESOLVE_EVERY == 0) {
            refreshResolvedKeys();
        }
        Duration timeout = sourceTimeout();
        CompletableFuture<Optional<PrometheusDeltas.Scrape>> fromPrometheus = config.prometheusUrl()
                .map(u -> fetch("prometheus", u, timeout, prometheusFailing)
                        .thenApply(text -> text.map(t -> prometheus.update(
                                PrometheusText.parse(t, PrometheusDeltas.WANTED).samples()))))
                .orElse(CompletableFuture.completedFuture(Optional.empty()));
        CompletableFuture<Map<NodeKey, String>> fromControl = config.controlUrl()
                .map(u -> fetch("control API", u, timeout, controlFailing)
                        .thenApply(text -> text.map(t -> {
                                    try {
                                        return ControlApiParser.parse(t, this::mapKey);
                                    } catch (IllegalArgumentException e) {
                                        sourceFailed("control API", u, e, controlFailing);
                                        return Map.<NodeKey, String>of();
                                    }
                                })
                                .orElse(Map.of())))
                .orElse(CompletableFuture.completedFuture(Map.of()));
        return fromPrometheus
                .thenCombine(fromControl, (scrape, h) -> {
                    if (waitingForExporter(scrape, now)) {
                        return Optional.<String>empty();
                    }
                    Map<NodeKey, IntervalStats> p =
                            scrape.orElse(null) instanceof PrometheusDeltas.Scrape.Changed c ? c.deltas() : Map.of();
                    // The runner's outcomes are drained only with a document, so they cover the same period.
                    Map<NodeKey, IntervalStats> fromRunner = outcomes.drain();
                    java.util.Set<NodeKey> known = new java.util.HashSet<>(h.keySet());
                    known.addAll(fromRunner.keySet());
                    known.addAll(configuredNodes);
                    long covered = Math.max(config.interval().toMillis(), now - windowStartMs);
                    windowStartMs = now;
                    return Optional.of(DocumentWriter.write(
                            config.nodeId(), now, covered, fromRunner, NodeResolver.resolve(p, known), h));
                })
                .thenCompose(doc -> {
                    if (doc.isEmpty()) {
                        // No new data: write the previous document again (same generated_at_ms, so no reader takes
                        // it for a new report), which keeps its lease alive.
                        String previous = lastDocument.get();
                        return previous == null
                                ? CompletableFuture.<Void>completedFuture(null)
                                : publish(previous, now);
                    }
                    lastDocument.set(doc.get());
                    for (java.util.function.Consumer<String> listener : documentListeners) {
                        try {
                            listener.accept(doc.get());
                        } catch (RuntimeException e) {
                            LOG.warn("health document listener failed", e);
                        }
                    }
                    return publish(doc.get(), now);
                })
                .whenComplete((ok, error) -> ticking.set(false));
    }

    /**
     * Whether this tick has no new exporter data to publish: APISIX's exporter serves cached text re-rendered every
     * {@code refresh_interval}, so a scrape with the same counters as the previous one is, until that period (plus
     * one of our intervals, the most a scrape can lag a refresh) has passed since the last change, an exporter that
     * has not refreshed yet — not an interval without requests. After that it refreshed with no request at all, and
     * a document with the (empty) period is published. Without prometheus, or while it cannot be read, every tick
     * publishes.
     */
    private boolean waitingForExporter(Optional<PrometheusDeltas.Scrape> scrape, long now) {
        if (scrape.isEmpty()) {
            return false;
        }
        return switch (scrape.get()) {
            case PrometheusDeltas.Scrape.Baseline b -> {
                exporterRefreshedAtMs = now;
                yield false;
            }
            case PrometheusDeltas.Scrape.Changed c -> {
                exporterRefreshedAtMs = now;
                yield false;
            }
            case PrometheusDeltas.Scrape.Unchanged u -> {
                long surelyRefreshed =
                        config.prometheusRefresh().plus(config.interval()).toMillis();
                if (now - exporterRefreshedAtMs >= surelyRefreshed) {
                    exporterRefreshedAtMs = now;
                    yield false;
                }
                yield true;
            }
        };
    }

    /**
     * The upstream key to report under: {@code A6_HEALTH_ROUTE_UPSTREAMS} first, then what APISIX's route and service
     * objects say (a route with {@code upstream_id} reports under {@code upstreams/<id>}), else the key itself.
     */
    String mapKey(String key) {
        String explicit = config.keyMapping().get(key);
        if (explicit != null) {
            return explicit;
        }
        return resolvedKeys.getOrDefault(key, key);
    }

    private void refreshResolvedKeys() {
        CompletionStage<Map<String, String>> routes;
        CompletionStage<Map<String, String>> services;
        CompletionStage<Map<String, String>> upstreams;
        try {
            routes = publisher.readPrefix(APISIX_PREFIX + "/routes/");
            services = publisher.readPrefix(APISIX_PREFIX + "/services/");
            upstreams = publisher.readPrefix(APISIX_PREFIX + "/upstreams/");
        } catch (RuntimeException e) {
            return;
        }
        routes.thenCombine(services, (r, s) -> {
                    Map<String, String> all = new java.util.HashMap<>(r);
                    all.putAll(s);
                    return all;
                })
                .thenCombine(upstreams, (rs, u) -> {
                    Map<String, String> all = new java.util.HashMap<>(rs);
                    all.putAll(u);
                    return org.a6suite.health.internal.ApisixKeyResolver.configuredNodes(all);
                })
                .whenComplete((nodes, error) -> {
                    if (error == null) {
                        configuredNodes = Set.copyOf(nodes);
                    }
                });
        routes.thenCombine(services, (r, s) -> {
                    Map<String, String> all = new java.util.HashMap<>(r);
                    all.putAll(s);
                    return org.a6suite.health.internal.ApisixKeyResolver.resolve(all);
                })
                .whenComplete((mapping, error) -> {
                    // On failure the previous mapping stays; etcd trouble is already reported by the publishing path.
                    if (error == null) {
                        resolvedKeys = mapping;
                    }
                });
    }

    private Duration sourceTimeout() {
        Duration half = config.interval().dividedBy(2);
        return half.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : half;
    }

    private CompletableFuture<Optional<String>> fetch(String source, URI uri, Duration timeout, AtomicBoolean failing) {
        CompletableFuture<String> f;
        try {
            f = http.get(uri, timeout).toCompletableFuture();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.orTimeout(timeout.toMillis() + 100, TimeUnit.MILLISECONDS).handle((text, error) -> {
            if (error != null) {
                sourceFailed(source, uri, error, failing);
                return Optional.<String>empty();
            }
            if (failing.compareAndSet(true, false)) {
                LOG.info("health reporter: {} at {} readable again", source, uri);
            }
            return Optional.of(text);
        });
    }

    private static void sourceFailed(String source, URI uri, Throwable error, AtomicBoolean failing) {
        if (failing.compareAndSet(false, true)) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            LOG.warn(
                    "health reporter: cannot read {} at {} ({}); leaving it out until it answers again",
                    source,
                    uri,
                    cause.toString());
        }
    }

    /** Below etcd's default 1.5 MiB request limit, with room for the request's own framing. */
    static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

    private volatile int maxDocumentBytes = MAX_DOCUMENT_BYTES;
    /** Shards written last time (0: one unsharded document), so shards no longer needed are deleted. */
    private volatile int writtenShards;

    /** For tests: a smaller size limit so sharding can be observed. */
    HealthReporter maxDocumentBytes(int bytes) {
        this.maxDocumentBytes = bytes;
        return this;
    }

    /**
     * One document at {@code <prefix>/<node>}, or shards at {@code <prefix>/<node>/<n>}; then the keys the previous
     * write used and this one does not are deleted, since they share the live lease and would otherwise stay.
     */
    private CompletionStage<Void> writeShards(List<String> shards) {
        String key = config.documentKey();
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        int previous = writtenShards;
        if (shards.size() == 1) {
            chain = publisher.publish(key, shards.get(0), config.leaseTtl());
            for (int i = 0; i < previous; i++) {
                String stale = key + "/" + i;
                chain = chain.thenCompose(v -> publisher.delete(stale));
            }
            return chain;
        }
        for (int i = 0; i < shards.size(); i++) {
            String shardKey = key + "/" + i;
            String shard = shards.get(i);
            chain = chain.thenCompose(v -> publisher.publish(shardKey, shard, config.leaseTtl()));
        }
        if (previous == 0) {
            chain = chain.thenCompose(v -> publisher.delete(key));
        }
        for (int i = shards.size(); i < previous; i++) {
            String stale = key + "/" + i;
            chain = chain.thenCompose(v -> publisher.delete(stale));
        }
        return chain;
    }

    private CompletionStage<Void> publish(String doc, long now) {
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
                writtenShards = shardCount;
                published.incrementAndGet();
                if (etcdFailures > 0) {
                    LOG.info(
                            "health reporter: writing {} to etcd again after {} failed attempts",
                            config.documentKey(),
                            etcdFailures);
                }
                etcdFailures = 0;
                nextAttemptMs = Long.MIN_VALUE;
            } else {
                int failures = ++etcdFailures;
                long backoff =
                        Math.min(maxBackoff.toMillis(), config.interval().toMillis() << Math.min(20, failures - 1));
                nextAttemptMs = clock.millis() + backoff;
                if (failures == 1) {
                    Throwable cause =
                            error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                    ? error.getCause()
                                    : error;
                    LOG.warn(
                            "health reporter: cannot write {} to etcd {} ({}); retrying with backoff up to {} ms, "
                                    + "requests are not affected",
                            config.documentKey(),
                            config.etcdEndpoints(),
                            cause.toString(),
                            maxBackoff.toMillis());
                }
            }
            return null;
        });
    }

    /** Stops ticking. The document is left to expire with its lease, as a crashed node's would. */
    @Override
    public void close() {
        ScheduledFuture<?> s = schedule;
        if (s != null) {
            s.cancel(false);
        }
    }
}
