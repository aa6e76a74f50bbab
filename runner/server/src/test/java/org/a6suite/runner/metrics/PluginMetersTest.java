package org.a6suite.runner.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.a6suite.plugin.PluginMetrics;
import org.junit.jupiter.api.Test;

class PluginMetersTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PluginMeters meters = new PluginMeters(registry);

    @Test
    void shouldExportACounterWithItsHelpAndEscapedLabels() {
        meters.increment("a6_test_total", "A test counter", Map.of("provider", "p\"1"), 2);
        meters.increment("a6_test_total", "A test counter", Map.of("provider", "p\"1"), 0.5);

        assertThat(registry.scrape())
                .contains(
                        "# HELP a6_test_total A test counter\n",
                        "# TYPE a6_test_total counter\n",
                        "a6_test_total{provider=\"p\\\"1\"} 2.5\n");
    }

    @Test
    void shouldExportSecondsAsAClassicHistogramWithTheLatencyBuckets() {
        meters.observe("a6_test_seconds", "A test latency", Map.of("target", "a"), 0.25);
        meters.observe("a6_test_seconds", "A test latency", Map.of("target", "a"), 0.003);

        assertThat(registry.scrape())
                .contains(
                        "# TYPE a6_test_seconds histogram\n",
                        "a6_test_seconds_bucket{target=\"a\",le=\"0.005\"} 1\n",
                        "a6_test_seconds_bucket{target=\"a\",le=\"0.1\"} 1\n",
                        "a6_test_seconds_bucket{target=\"a\",le=\"0.25\"} 2\n",
                        "a6_test_seconds_bucket{target=\"a\",le=\"120.0\"} 2\n",
                        "a6_test_seconds_bucket{target=\"a\",le=\"+Inf\"} 2\n",
                        "a6_test_seconds_count{target=\"a\"} 2\n",
                        "a6_test_seconds_sum{target=\"a\"} 0.253\n");
    }

    @Test
    void shouldBucketOtherUnitsOnTheGenericLadder() {
        meters.observe("a6_test_tokens", "Tokens per call", Map.of(), 700);

        assertThat(registry.scrape())
                .contains(
                        "# TYPE a6_test_tokens histogram\n",
                        "a6_test_tokens_bucket{le=\"500.0\"} 0\n",
                        "a6_test_tokens_bucket{le=\"1000.0\"} 1\n");
    }

    @Test
    void shouldDropInvalidCallsWithoutThrowing() {
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("target", null);
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "x");

        assertThatCode(() -> {
                    meters.increment("a6_bad_total", "negative", Map.of(), -1);
                    meters.increment("a6_nan_total", "not a number", Map.of(), Double.NaN);
                    meters.increment("a6_inf_total", "infinite", Map.of(), Double.POSITIVE_INFINITY);
                    meters.observe("a6_neg_seconds", "negative", Map.of(), -0.5);
                    meters.increment("6starts_with_a_digit", "bad name", Map.of(), 1);
                    meters.increment(null, "null name", Map.of(), 1);
                    meters.increment("a6_null_labels_total", "null labels", null, 1);
                    meters.increment("a6_null_value_total", "null value", nullValue, 1);
                    meters.increment("a6_null_key_total", "null key", nullKey, 1);
                    meters.increment("a6_dash_total", "bad label", Map.of("bad-label", "x"), 1);
                    meters.increment("a6_reserved_total", "reserved label", Map.of("__name", "x"), 1);
                    meters.observe("a6_le_seconds", "reserved label", Map.of("le", "1"), 1);
                    meters.observe("a6_suffix_total", "a histogram named like a counter", Map.of(), 1);
                    meters.increment("a6_suffix_count", "a counter named like a histogram series", Map.of(), 1);
                })
                .doesNotThrowAnyException();

        assertThat(registry.scrape())
                .doesNotContain(
                        "a6_bad",
                        "a6_nan",
                        "a6_inf",
                        "a6_neg",
                        "starts_with",
                        "a6_null",
                        "a6_dash",
                        "a6_reserved",
                        "a6_le",
                        "a6_suffix");
    }

    @Test
    void shouldKeepTheFirstTypeAndLabelNamesOfAName() {
        meters.increment("a6_mixed_total", "first", Map.of("tool", "x"), 1);
        meters.increment("a6_mixed_total", "other labels", Map.of("tool", "x", "extra", "y"), 1);
        meters.increment("a6_mixed_total", "fewer labels", Map.of(), 1);
        meters.observe("a6_kind_seconds", "first", Map.of(), 1);
        meters.increment("a6_kind_seconds", "a counter now", Map.of(), 1);

        assertThat(registry.scrape())
                .contains("a6_mixed_total{tool=\"x\"} 1.0\n")
                .doesNotContain("extra=", "a6_mixed_total 1.0", "a6_kind_seconds_total");
    }

    @Test
    void shouldNotFailWhenAPluginReusesAnotherMetersName() {
        new RunnerMetrics(registry, () -> 0, System::nanoTime);

        assertThatCode(() -> meters.increment("a6_runner_connections", "a gauge's name", Map.of(), 1))
                .doesNotThrowAnyException();
        assertThatCode(() -> meters.increment("a6_runner_connections", "again", Map.of(), 1))
                .doesNotThrowAnyException();
        assertThat(registry.scrape())
                .contains("a6_runner_connections 0.0\n")
                .doesNotContain("a6_runner_connections_total");
    }

    @Test
    void shouldNotBeFooledByACallerReusingItsLabelMap() {
        Map<String, String> labels = new HashMap<>(Map.of("tool", "a"));
        meters.increment("a6_reuse_total", "reuse", labels, 1);
        labels.put("tool", "b");
        meters.increment("a6_reuse_total", "reuse", labels, 1);

        assertThat(registry.scrape()).contains("a6_reuse_total{tool=\"a\"} 1.0\n", "a6_reuse_total{tool=\"b\"} 1.0\n");
    }

    @Test
    void shouldRecordOnBoundHandlesIntoTheSameSeriesAsNamedCalls() {
        PluginMetrics.BoundCounter counter = meters.counter("a6_bound_total", "bound", Map.of("target", "a"));
        PluginMetrics.BoundHistogram latency =
                meters.histogram("a6_bound_seconds", "bound latency", Map.of("target", "a"));

        counter.increment(2);
        meters.increment("a6_bound_total", "bound", Map.of("target", "a"), 1);
        latency.observe(0.003);
        meters.observe("a6_bound_seconds", "bound latency", Map.of("target", "a"), 0.25);

        assertThat(registry.scrape())
                .contains(
                        "a6_bound_total{target=\"a\"} 3.0\n",
                        "a6_bound_seconds_bucket{target=\"a\",le=\"0.005\"} 1\n",
                        "a6_bound_seconds_count{target=\"a\"} 2\n",
                        "a6_bound_seconds_sum{target=\"a\"} 0.253\n");
    }

    @Test
    void shouldBindOtherUnitsToADistributionSummary() {
        meters.histogram("a6_bound_tokens", "tokens", Map.of()).observe(700);

        assertThat(registry.scrape()).contains("a6_bound_tokens_bucket{le=\"1000.0\"} 1\n");
    }

    @Test
    void shouldDropInvalidValuesOnBoundHandles() {
        PluginMetrics.BoundCounter counter = meters.counter("a6_bound_drop_total", "drops", Map.of());
        PluginMetrics.BoundHistogram histogram = meters.histogram("a6_bound_drop_seconds", "drops", Map.of());

        counter.increment(-1);
        counter.increment(Double.NaN);
        counter.increment(Double.POSITIVE_INFINITY);
        histogram.observe(-0.5);
        histogram.observe(Double.NaN);
        counter.increment(1);

        assertThat(registry.scrape()).contains("a6_bound_drop_total 1.0\n", "a6_bound_drop_seconds_count 0\n");
    }

    @Test
    void shouldHandOutHandlesThatDropEverythingForRefusedSeries() {
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("target", null);
        meters.increment("a6_taken_total", "first a counter", Map.of("tool", "x"), 1);

        PluginMetrics.BoundCounter badName = meters.counter("6bad", "bad name", Map.of());
        PluginMetrics.BoundCounter nullLabel = meters.counter("a6_bound_null_total", "null value", nullValue);
        PluginMetrics.BoundCounter otherLabels = meters.counter("a6_taken_total", "other labels", Map.of("extra", "y"));
        PluginMetrics.BoundHistogram otherType =
                meters.histogram("a6_taken_total", "a histogram now", Map.of("tool", "x"));

        assertThat(badName).isSameAs(PluginMetrics.BoundCounter.NOOP);
        assertThat(nullLabel).isSameAs(PluginMetrics.BoundCounter.NOOP);
        assertThat(otherLabels).isSameAs(PluginMetrics.BoundCounter.NOOP);
        assertThat(otherType).isSameAs(PluginMetrics.BoundHistogram.NOOP);
        assertThatCode(() -> {
                    meters.counter(null, "null name", Map.of()).increment(1);
                    meters.histogram("a6_null_labels_seconds", "null labels", null)
                            .observe(1);
                })
                .doesNotThrowAnyException();
        assertThat(registry.scrape())
                .contains("a6_taken_total{tool=\"x\"} 1.0\n")
                .doesNotContain("extra=");
    }

    @Test
    void shouldKeepABoundSeriesWhenTheCallerReusesItsLabelMap() {
        Map<String, String> labels = new HashMap<>(Map.of("tool", "a"));
        PluginMetrics.BoundCounter counter = meters.counter("a6_bound_reuse_total", "reuse", labels);
        labels.put("tool", "b");

        counter.increment(1);

        assertThat(registry.scrape())
                .contains("a6_bound_reuse_total{tool=\"a\"} 1.0\n")
                .doesNotContain("tool=\"b\"");
    }
}
