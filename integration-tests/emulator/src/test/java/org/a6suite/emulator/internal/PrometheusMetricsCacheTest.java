package org.a6suite.emulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The exporter's text is APISIX's cached copy, re-rendered every {@code refresh_interval} (15 s by default since APISIX
 * 3.14: {@code apisix/plugins/prometheus/exporter.lua}), not counters of the instant of the scrape.
 */
class PrometheusMetricsCacheTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private static void request(PrometheusMetrics m) {
        m.log(200, "1", "/x", "", "127.0.0.1", 5, 4);
    }

    private static String status(String text) {
        return text.lines()
                .filter(l -> l.startsWith("apisix_http_status{"))
                .findFirst()
                .orElse("none");
    }

    @Test
    void shouldServeTheSameTextUntilTheNextRefreshWhenScrapedEveryFiveSeconds() {
        PrometheusMetrics m = new PrometheusMetrics("apisix-1", Duration.ofSeconds(15), nanos::get);
        request(m);
        String first = m.render(); // the first scrape renders
        assertThat(status(first)).endsWith(" 1");
        for (int i = 0; i < 2; i++) {
            advance(Duration.ofSeconds(5));
            request(m);
            assertThat(m.render()).isEqualTo(first); // 5 s and 10 s: not refreshed yet
        }
        advance(Duration.ofSeconds(5)); // 15 s: the refresh
        assertThat(status(m.render())).endsWith(" 3");
        assertThat(status(m.collect())).endsWith(" 3");
    }

    @Test
    void shouldRefreshOnPeriodsCountedFromTheStartNotFromTheLastScrape() {
        PrometheusMetrics m = new PrometheusMetrics("apisix-1", Duration.ofSeconds(15), nanos::get);
        advance(Duration.ofSeconds(14));
        request(m);
        assertThat(status(m.render())).endsWith(" 1"); // period 0, first scrape at 14 s
        advance(Duration.ofSeconds(1));
        request(m);
        assertThat(status(m.render())).endsWith(" 2"); // 15 s: period 1 began
    }

    @Test
    void shouldRenderOnEveryScrapeWithARefreshIntervalOfZero() {
        PrometheusMetrics m = new PrometheusMetrics("apisix-1", Duration.ZERO, nanos::get);
        request(m);
        assertThat(status(m.render())).endsWith(" 1");
        request(m);
        assertThat(status(m.render())).endsWith(" 2");
    }

    @Test
    void shouldDefaultToApisixsFifteenSecondsAndNameTheSettingOnErrors() {
        assertThat(PrometheusMetrics.configuredRefresh(null, null)).isEqualTo(Duration.ofSeconds(15));
        assertThat(PrometheusMetrics.configuredRefresh(null, "2.5")).isEqualTo(Duration.ofMillis(2500));
        assertThat(PrometheusMetrics.configuredRefresh("500ms", "20")).isEqualTo(Duration.ofMillis(500));
        assertThat(PrometheusMetrics.configuredRefresh(null, "0")).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> PrometheusMetrics.configuredRefresh(null, "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("A6_EMULATOR_PROMETHEUS_REFRESH_INTERVAL: soon (expected: seconds");
    }
}
