package org.a6suite.runner.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.a6suite.runner.metrics.PluginMeters;
import org.junit.jupiter.api.Test;

class LaneMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LaneMetrics metrics = new LaneMetrics(registry, new PluginMeters(registry), List.of("ai-gateway"));

    @Test
    void shouldExportRejectionAndAbortCountersAtZeroBeforeTheFirstEvent() {
        assertThat(registry.scrape())
                .contains(
                        "a6_lane_handoff_rejections_total{reason=\"missing\"} 0.0\n",
                        "a6_lane_handoff_rejections_total{reason=\"bad_link\"} 0.0\n",
                        "a6_lane_streams_aborted_total{cause=\"client_gone\",plugin=\"ai-gateway\"} 0.0\n",
                        "a6_lane_streams_aborted_total{cause=\"plugin_error\",plugin=\"ai-gateway\"} 0.0\n",
                        "a6_lane_open_streams 0.0\n");
    }

    @Test
    void shouldCountEventsAndReadOpenStreamsAtScrapeTime() {
        metrics.rejected(HandoffRejection.EXPIRED);
        metrics.streamAborted("ai-gateway", "client_gone");
        metrics.answered(LaneMetrics.NO_PLUGIN, 413);
        metrics.streamOpened();

        assertThat(registry.scrape())
                .contains(
                        "a6_lane_handoff_rejections_total{reason=\"expired\"} 1.0\n",
                        "a6_lane_streams_aborted_total{cause=\"client_gone\",plugin=\"ai-gateway\"} 1.0\n",
                        "a6_lane_requests_total{plugin=\"-\",status=\"413\"} 1.0\n",
                        "a6_lane_open_streams 1.0\n");
    }
}
