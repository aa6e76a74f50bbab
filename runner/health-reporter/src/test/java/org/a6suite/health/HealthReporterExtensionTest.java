package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.RunnerStartException;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.spi.RunnerExtension;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extension inside a real runner: found by ServiceLoader, fed by plugins' outcomes, off without etcd. */
class HealthReporterExtensionTest {

    @TempDir
    Path dir;

    /** A plugin that only keeps the runner's outcome recorder. */
    static final class RecordingPlugin implements Plugin<String> {
        final AtomicReference<OutcomeRecorder> recorder = new AtomicReference<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public String parseConfig(String value) {
            return value;
        }

        @Override
        public void start(PluginEnvironment environment) {
            recorder.set(environment.outcomes());
        }
    }

    @Test
    void shouldBeRegisteredAsARunnerExtension() {
        assertThat(ServiceLoader.load(RunnerExtension.class).stream()
                        .<Class<?>>map(p -> p.type())
                        .toList())
                .contains(HealthReporterExtension.class);
    }

    @Test
    void shouldStayOffWithoutEtcdEndpoints() {
        HealthReporterExtension extension = new HealthReporterExtension(Map.<String, String>of()::get);
        try (RunnerServer runner = RunnerServer.start(
                RunnerConfig.builder(dir.resolve("r.sock")).build(),
                List.of(),
                RunnerOptions.defaults().withExtensions(List.of(extension)))) {
            assertThat(extension.reporter()).isEmpty();
        }
    }

    @Test
    void shouldFailTheRunnerStartOnABadVariable() {
        HealthReporterExtension extension = new HealthReporterExtension(
                Map.of("A6_HEALTH_ETCD_ENDPOINTS", "http://127.0.0.1:2379", "A6_HEALTH_INTERVAL", "soon")::get);
        assertThatThrownBy(() -> RunnerServer.start(
                        RunnerConfig.builder(dir.resolve("r.sock")).build(),
                        List.of(),
                        RunnerOptions.defaults().withExtensions(List.of(extension))))
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining("A6_HEALTH_INTERVAL: soon");
        extension.close();
    }

    @Test
    void shouldPublishOutcomesPluginsRecord() throws Exception {
        RecordingPlugin plugin = new RecordingPlugin();
        try (EtcdServer etcd = EtcdServer.start();
                Client client = etcd.newClient()) {
            HealthReporterExtension extension = new HealthReporterExtension(Map.of(
                    "A6_HEALTH_ETCD_ENDPOINTS",
                    etcd.endpoint(),
                    "A6_HEALTH_INTERVAL",
                    "200ms",
                    "A6_HEALTH_NODE_ID",
                    "apisix-ext")::get);
            try (RunnerServer runner = RunnerServer.start(
                    RunnerConfig.builder(dir.resolve("r.sock")).build(),
                    List.of(plugin),
                    RunnerOptions.defaults().withExtensions(List.of(extension)))) {
                ByteSequence key = ByteSequence.from("/a6/health/apisix-ext", StandardCharsets.UTF_8);
                // A slow etcd read on a loaded machine is a retry, not a failure: the write is what is awaited.
                String doc = await().atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(50))
                        .ignoreExceptionsInstanceOf(TimeoutException.class)
                        .until(
                                () -> {
                                    plugin.recorder
                                            .get()
                                            .record(new OutcomeRecorder.Outcome(
                                                    "ai/provider",
                                                    "127.0.0.1:9999",
                                                    Optional.of(502),
                                                    Duration.ofMillis(3),
                                                    OutcomeRecorder.Result.HTTP_5XX));
                                    var kvs = client.getKVClient()
                                            .get(key)
                                            .get(2, TimeUnit.SECONDS)
                                            .getKvs();
                                    return kvs.isEmpty()
                                            ? ""
                                            : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
                                },
                                d -> d.contains("\"http_5xx\":") && !d.contains("\"http_5xx\":0"));
                assertThat(doc).contains("\"ai/provider\"", "\"127.0.0.1:9999\"");
            }
        }
        assertThat(Files.exists(dir.resolve("r.sock"))).isFalse();
    }
}
