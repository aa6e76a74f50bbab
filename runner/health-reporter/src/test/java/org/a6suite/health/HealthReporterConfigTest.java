package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthReporterConfigTest {

    @Test
    void shouldBeDisabledWithoutEtcdEndpoints() {
        assertThat(HealthReporterConfig.fromEnvironment(Map.<String, String>of()::get))
                .isEmpty();
        assertThat(HealthReporterConfig.fromEnvironment(Map.of("A6_HEALTH_ETCD_ENDPOINTS", " ")::get))
                .isEmpty();
    }

    @Test
    void shouldReadEveryVariable() {
        HealthReporterConfig c = HealthReporterConfig.fromEnvironment(Map.of(
                        "A6_HEALTH_ETCD_ENDPOINTS", "http://127.0.0.1:2379, http://127.0.0.1:22379",
                        "A6_HEALTH_PREFIX", "/x/health",
                        "A6_HEALTH_INTERVAL", "500ms",
                        "A6_HEALTH_NODE_ID", "apisix-1",
                        "A6_HEALTH_PROMETHEUS_URL", "http://127.0.0.1:9091/apisix/prometheus/metrics",
                        "A6_HEALTH_CONTROL_URL", "http://127.0.0.1:9090/v1/healthcheck",
                        "A6_HEALTH_ROUTE_UPSTREAMS", "routes/1=upstreams/1,services/2=upstreams/3",
                        "A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL", "10")::get)
                .orElseThrow();
        assertThat(c.etcdEndpoints())
                .containsExactly(URI.create("http://127.0.0.1:2379"), URI.create("http://127.0.0.1:22379"));
        assertThat(c.documentKey()).isEqualTo("/x/health/apisix-1");
        assertThat(c.interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.mapKey("routes/1")).isEqualTo("upstreams/1");
        assertThat(c.mapKey("routes/5")).isEqualTo("routes/5");
        assertThat(c.prometheusUrl()).isPresent();
        assertThat(c.controlUrl()).isPresent();
        assertThat(c.prometheusRefresh()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldDefaultPrefixIntervalAndLease() {
        HealthReporterConfig c = HealthReporterConfig.fromEnvironment(
                        Map.of("A6_HEALTH_ETCD_ENDPOINTS", "http://127.0.0.1:2379", "A6_HEALTH_NODE_ID", "n1")::get)
                .orElseThrow();
        assertThat(c.documentKey()).isEqualTo("/a6/health/n1");
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(15));
        // APISIX 3.x's plugin_attr.prometheus.refresh_interval default
        assertThat(c.prometheusRefresh()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void shouldNameTheVariableOnErrors() {
        assertError(
                Map.of("A6_HEALTH_ETCD_ENDPOINTS", "127.0.0.1:2379"),
                "A6_HEALTH_ETCD_ENDPOINTS: 127.0.0.1:2379 (expected: http://host:port");
        assertError(
                Map.of("A6_HEALTH_ETCD_ENDPOINTS", "http://h:1", "A6_HEALTH_INTERVAL", "fast"),
                "A6_HEALTH_INTERVAL: fast (expected: a duration");
        assertError(
                Map.of("A6_HEALTH_ETCD_ENDPOINTS", "http://h:1", "A6_HEALTH_INTERVAL", "10ms"),
                "A6_HEALTH_INTERVAL: PT0.01S (expected: 100ms..5m)");
        assertError(
                Map.of("A6_HEALTH_ETCD_ENDPOINTS", "http://h:1", "A6_HEALTH_PREFIX", "a6/health/"),
                "A6_HEALTH_PREFIX: a6/health/ (expected:");
        assertError(
                Map.of("A6_HEALTH_ETCD_ENDPOINTS", "http://h:1", "A6_HEALTH_NODE_ID", "a/b"),
                "A6_HEALTH_NODE_ID: a/b (expected:");
        assertError(
                Map.of("A6_HEALTH_ETCD_ENDPOINTS", "http://h:1", "A6_HEALTH_ROUTE_UPSTREAMS", "1=2"),
                "A6_HEALTH_ROUTE_UPSTREAMS: 1=2 (expected:");
        assertError(
                Map.of("A6_HEALTH_ETCD_ENDPOINTS", "http://h:1", "A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL", "0"),
                "A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL: PT0S (expected: 100ms..1h");
    }

    private static void assertError(Map<String, String> env, String message) {
        assertThatThrownBy(() -> HealthReporterConfig.fromEnvironment(env::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
