package org.a6suite.health;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.a6suite.health.internal.JetcdPublisher;
import org.a6suite.runner.spi.RunnerExtension;
import org.a6suite.runner.spi.RunnerHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health reporter as a runner extension (found by {@link java.util.ServiceLoader}). Configured from the
 * environment ({@link HealthReporterConfig#fromEnvironment}); without {@code A6_HEALTH_ETCD_ENDPOINTS} it logs one
 * INFO line and does nothing. A bad variable fails the runner's start with a message naming it.
 */
public final class HealthReporterExtension implements RunnerExtension {

    private static final Logger LOG = LoggerFactory.getLogger(HealthReporterExtension.class);

    private final Function<String, String> environment;
    private ScheduledExecutorService scheduler;
    private EtcdPublisher publisher;
    private HealthReporter reporter;

    public HealthReporterExtension() {
        this(System::getenv);
    }

    public HealthReporterExtension(Function<String, String> environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "health-reporter";
    }

    @Override
    public synchronized void start(RunnerHooks hooks) {
        Optional<HealthReporterConfig> config = HealthReporterConfig.fromEnvironment(environment);
        if (config.isEmpty()) {
            LOG.info("health reporter off: {} is not set", HealthReporterConfig.ETCD_ENDPOINTS);
            return;
        }
        HealthReporterConfig c = config.get();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "a6-health-reporter");
            t.setDaemon(true);
            return t;
        });
        Duration timeout = c.interval().compareTo(Duration.ofSeconds(1)) < 0
                ? Duration.ofSeconds(1)
                : c.interval().compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : c.interval();
        publisher = new JetcdPublisher(c.etcdEndpoints(), timeout);
        reporter = new HealthReporter(c, Clock.systemUTC(), scheduler, publisher, HttpSource.jdk()).start();
        hooks.addOutcomeListener(reporter.outcomeRecorder());
        // Plugins (adaptive-fallback) read the same facts in-process through PluginEnvironment.health().
        reporter.addDocumentListener(
                doc -> hooks.publishHealth(org.a6suite.health.internal.DocumentSnapshots.parse(doc)));
        LOG.info(
                "health reporter: writing {} every {} ms to etcd {} (lease {} s; prometheus {}, control API {})",
                c.documentKey(),
                c.interval().toMillis(),
                c.etcdEndpoints(),
                c.leaseTtl().toSeconds(),
                c.prometheusUrl().map(Object::toString).orElse("off"),
                c.controlUrl().map(Object::toString).orElse("off"));
    }

    /** The running reporter, if configured. */
    public synchronized Optional<HealthReporter> reporter() {
        return Optional.ofNullable(reporter);
    }

    @Override
    public synchronized void close() {
        if (reporter != null) {
            reporter.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
