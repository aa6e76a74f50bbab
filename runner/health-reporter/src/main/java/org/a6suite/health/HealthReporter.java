package org.a6suite.health;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.a6suite.health.internal.ApisixConfigView;
import org.a6suite.health.internal.ControlApiParser;
import org.a6suite.health.internal.DocumentPublication;
import org.a6suite.health.internal.DocumentWriter;
import org.a6suite.health.internal.IntervalStats;
import org.a6suite.health.internal.NodeKey;
import org.a6suite.health.internal.NodeResolver;
import org.a6suite.health.internal.OutcomeAggregator;
import org.a6suite.health.internal.PrometheusDeltas;
import org.a6suite.health.internal.PrometheusText;
import org.a6suite.health.internal.SourceReader;
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
 * written is retried with exponential backoff (one interval, doubling, capped at eight intervals within [30 s,
 * one interval]; {@link DocumentPublication}); requests are
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

    /** APISIX's route/service data is read again every this many ticks. */
    static final int RESOLVE_EVERY = 6;

    private final HealthReporterConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final OutcomeAggregator outcomes;
    private final PrometheusDeltas prometheus;
    private final Optional<SourceReader> prometheusSource;
    private final Optional<SourceReader> controlSource;
    private final ApisixConfigView apisixConfig;
    private final DocumentPublication publication;
    private final AtomicBoolean ticking = new AtomicBoolean();
    private final AtomicReference<String> lastDocument = new AtomicReference<>();
    private final List<Consumer<String>> documentListeners = new CopyOnWriteArrayList<>();

    private long ticks;
    /** Where the period of the next document starts: the previous document's time (the start for the first). */
    private volatile long windowStartMs;
    /** When the exporter last showed refreshed text (a change, the baseline, or a refresh proven by elapsed time). */
    private volatile long exporterRefreshedAtMs;

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
        requireNonNull(publisher, "publisher");
        requireNonNull(http, "http");
        this.prometheus = new PrometheusDeltas(this::mapKey);
        this.outcomes = new OutcomeAggregator(this::mapKey);
        this.prometheusSource = config.prometheusUrl().map(u -> new SourceReader("prometheus", u, http));
        this.controlSource = config.controlUrl().map(u -> new SourceReader("control API", u, http));
        this.apisixConfig = new ApisixConfigView(publisher, APISIX_PREFIX);
        Duration eight = config.interval().multipliedBy(8);
        Duration thirty = Duration.ofSeconds(30);
        Duration maxBackoff = eight.compareTo(thirty) < 0
                ? eight
                : (config.interval().compareTo(thirty) > 0 ? config.interval() : thirty);
        this.publication = new DocumentPublication(
                publisher,
                clock,
                config.documentKey(),
                config.leaseTtl(),
                config.interval(),
                maxBackoff,
                String.valueOf(config.etcdEndpoints()));
        this.windowStartMs = clock.millis();
        this.exporterRefreshedAtMs = clock.millis();
    }

    /** Called with every document built, before it is published (whether or not etcd is reachable). */
    public HealthReporter addDocumentListener(Consumer<String> listener) {
        documentListeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
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
        return publication.publishedCount();
    }

    /** For tests: a smaller size limit so sharding can be observed. */
    HealthReporter maxDocumentBytes(int bytes) {
        publication.maxDocumentBytes(bytes);
        return this;
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
            apisixConfig.refresh();
        }
        Duration timeout = sourceTimeout();
        CompletableFuture<Optional<PrometheusDeltas.Scrape>> fromPrometheus = prometheusSource
                .map(source -> source.read(timeout)
                        .thenApply(text -> text.map(t -> prometheus.update(
                                PrometheusText.parse(t, PrometheusDeltas.WANTED).samples()))))
                .orElse(CompletableFuture.completedFuture(Optional.empty()));
        CompletableFuture<Map<NodeKey, String>> fromControl = controlSource
                .map(source -> source.read(timeout)
                        .thenApply(
                                text -> text.map(t -> parseControl(source, t)).orElse(Map.of())))
                .orElse(CompletableFuture.completedFuture(Map.of()));
        return fromPrometheus
                .thenCombine(fromControl, (scrape, h) -> document(scrape, h, now))
                .thenCompose(doc -> {
                    if (doc.isEmpty()) {
                        // No new data: write the previous document again (same generated_at_ms, so no reader takes
                        // it for a new report), which keeps its lease alive.
                        String previous = lastDocument.get();
                        return previous == null
                                ? CompletableFuture.<Void>completedFuture(null)
                                : publication.publish(previous, now);
                    }
                    lastDocument.set(doc.get());
                    notifyListeners(doc.get());
                    return publication.publish(doc.get(), now);
                })
                .whenComplete((ok, error) -> ticking.set(false));
    }

    private Map<NodeKey, String> parseControl(SourceReader source, String text) {
        try {
            return ControlApiParser.parse(text, this::mapKey);
        } catch (IllegalArgumentException e) {
            source.failed(e);
            return Map.of();
        }
    }

    private Optional<String> document(Optional<PrometheusDeltas.Scrape> scrape, Map<NodeKey, String> health, long now) {
        if (waitingForExporter(scrape, now)) {
            return Optional.empty();
        }
        Map<NodeKey, IntervalStats> p =
                scrape.orElse(null) instanceof PrometheusDeltas.Scrape.Changed c ? c.deltas() : Map.of();
        // The runner's outcomes are drained only with a document, so they cover the same period.
        Map<NodeKey, IntervalStats> fromRunner = outcomes.drain();
        Set<NodeKey> known = new HashSet<>(health.keySet());
        known.addAll(fromRunner.keySet());
        known.addAll(apisixConfig.configuredNodes());
        long covered = Math.max(config.interval().toMillis(), now - windowStartMs);
        windowStartMs = now;
        return Optional.of(DocumentWriter.write(
                config.nodeId(), now, covered, fromRunner, NodeResolver.resolve(p, known), health));
    }

    private void notifyListeners(String doc) {
        for (Consumer<String> listener : documentListeners) {
            try {
                listener.accept(doc);
            } catch (RuntimeException e) {
                LOG.warn("health document listener failed", e);
            }
        }
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
        return apisixConfig.resolve(key);
    }

    private Duration sourceTimeout() {
        Duration half = config.interval().dividedBy(2);
        return half.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : half;
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
