package org.a6suite.optimizer.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.a6suite.optimizer.model.HealthDocument;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.HealthMerger;
import org.a6suite.optimizer.testing.MutableClock;
import org.junit.jupiter.api.Test;

class HealthDocumentParserTest {

    static String resource(String name) {
        try (InputStream in = HealthDocumentParserTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldParseTheDocumentedExampleAndIgnoreUnknownFields() {
        HealthDocument doc = HealthDocumentParser.parse(resource("/health/apisix-1.json"));
        assertThat(doc.nodeId()).isEqualTo("apisix-1");
        assertThat(doc.generatedAtMs()).isEqualTo(1763715600000L);
        assertThat(doc.intervalMs()).isEqualTo(5000);
        NodeHealth n = doc.upstreams().get("upstreams/1").get("127.0.0.1:8081");
        assertThat(n.requests()).isEqualTo(120);
        assertThat(n.failures()).isEqualTo(5);
        assertThat(n.http4xx()).isEqualTo(1);
        assertThat(n.latency().p999()).isEqualTo(120.0);
        assertThat(n.connectMs().get("p99")).hasValue(1.2);
        assertThat(n.connectMs().get("p90")).isEmpty();
        assertThat(n.health()).contains("healthy");
        assertThat(n.sources()).containsExactly("prometheus", "control_api", "runner");
        NodeHealth sparse = doc.upstreams().get("upstreams/1").get("127.0.0.1:8082");
        assertThat(sparse.health()).isEmpty();
        assertThat(sparse.responseMs().isEmpty()).isTrue();
        assertThat(sparse.readMs("p99")).contains(400.0);
        assertThat(doc.upstreams().get("routes/7").get("127.0.0.1:9000").requests())
                .isEqualTo(5);
    }

    @Test
    void shouldRejectDocumentsNamingTheField() {
        assertThatThrownBy(() -> HealthDocumentParser.parse("{\"version\":2}")).hasMessage("version: 2 (expected: 1)");
        assertThatThrownBy(() -> HealthDocumentParser.parse("{\"version\":1,\"generated_at_ms\":1}"))
                .hasMessageStartingWith("node_id: ");
        assertThatThrownBy(() -> HealthDocumentParser.parse("init_dir")).hasMessageStartingWith("health document:");
    }

    @Test
    void shouldMergeReportsOfAllApisixNodes() {
        HealthDocument a = HealthDocumentParser.parse(resource("/health/apisix-1.json"));
        HealthDocument b = HealthDocumentParser.parse(resource("/health/apisix-2.json"));
        MutableClock clock = new MutableClock(Instant.ofEpochMilli(1763715602000L));
        HealthMerger.Merged merged = new HealthMerger(clock, 3).merge(UpstreamRef.parse("upstreams/1"), List.of(a, b));
        assertThat(merged.reporters()).isEqualTo(2);
        NodeHealth n = merged.nodes().get("127.0.0.1:8081");
        assertThat(n.requests()).isEqualTo(160);
        assertThat(n.failures()).isEqualTo(7);
        // request-weighted: (80 x 120 + 100 x 40) / 160
        assertThat(n.latency().p99()).isCloseTo(85.0, within(1e-9));
        assertThat(n.health()).isEqualTo(Optional.of("mostly_unhealthy"));
        assertThat(n.sources()).containsExactly("control_api", "prometheus", "runner");

        // 20 s later both reports are stale (3 x 5 s)
        clock.advance(java.time.Duration.ofSeconds(20));
        assertThat(new HealthMerger(clock, 3)
                        .merge(UpstreamRef.parse("upstreams/1"), List.of(a, b))
                        .nodes())
                .isEmpty();
    }
}
