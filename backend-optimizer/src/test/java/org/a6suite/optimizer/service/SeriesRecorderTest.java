package org.a6suite.optimizer.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.ClusterSnapshot;
import org.a6suite.optimizer.model.NodeHealth;
import org.a6suite.optimizer.model.Percentiles;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamNode;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.HealthMerger;
import org.a6suite.optimizer.policy.Recommendation;
import org.a6suite.optimizer.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** The dashboard series: one point per evaluation, request-weighted latency, a bounded length per upstream. */
class SeriesRecorderTest {

    private static final UpstreamRef REF = UpstreamRef.parse("upstreams/1");
    private static final UpstreamConfig CONFIG = new UpstreamConfig(
            REF,
            1,
            List.of(new UpstreamNode("10.0.0.1", 80, 5, 0), new UpstreamNode("10.0.0.2", 80, 1, 0)),
            Optional.empty(),
            true);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private static NodeHealth node(long requests, double p50, double p99) {
        return new NodeHealth(
                requests,
                0,
                0,
                0,
                0,
                new Percentiles(p50, Double.NaN, p99, Double.NaN),
                Percentiles.NONE,
                Percentiles.NONE,
                Optional.empty(),
                List.of());
    }

    private static HealthMerger.Merged health(Map<String, NodeHealth> nodes) {
        return new HealthMerger.Merged(nodes, 1, 1, 0);
    }

    private static Recommendation recommendation(long requests, double errorRate) {
        return new Recommendation(
                REF,
                Recommendation.Status.NO_CHANGE,
                Timeouts.NGINX_DEFAULTS,
                Optional.empty(),
                CONFIG.weights(),
                CONFIG.weights(),
                List.of(),
                List.of(),
                new Recommendation.Inputs(requests, errorRate, Map.of()));
    }

    @Test
    void shouldWeighLatencyByRequestsAndCountAnIdleNodeAsOne() {
        SeriesRecorder recorder = new SeriesRecorder(clock, 10);

        recorder.record(
                CONFIG,
                health(Map.of("10.0.0.1:80", node(300, 10, 40), "10.0.0.2:80", node(0, 110, 140))),
                recommendation(300, 0.02));

        SeriesPoint p = recorder.series(REF).getFirst();
        assertThat(p.atMs()).isEqualTo(clock.millis());
        assertThat(p.p50()).isEqualTo((300 * 10 + 110) / 301.0);
        assertThat(p.p99()).isEqualTo((300 * 40 + 140) / 301.0);
        assertThat(p.errorRate()).isEqualTo(0.02);
        assertThat(p.timeout()).isEqualTo(Timeouts.NGINX_DEFAULTS);
        assertThat(p.weights()).isEqualTo(Map.of("10.0.0.1:80", 5, "10.0.0.2:80", 1));
    }

    @Test
    void shouldRecordUnknownRatherThanZeroWithoutRequestsOrLatency() {
        SeriesRecorder recorder = new SeriesRecorder(clock, 10);

        recorder.record(CONFIG, health(Map.of()), recommendation(0, 0));

        SeriesPoint p = recorder.series(REF).getFirst();
        assertThat(p.errorRate()).isNull();
        assertThat(p.p50()).isNull();
        assertThat(p.p99()).isNull();
    }

    @Test
    void shouldKeepOnlyTheNewestPointsUpToTheLimit() {
        SeriesRecorder recorder = new SeriesRecorder(clock, 2);
        long first = clock.millis();
        for (int i = 0; i < 3; i++) {
            recorder.record(CONFIG, health(Map.of()), recommendation(i, 0));
            clock.advance(Duration.ofSeconds(5));
        }

        assertThat(recorder.series(REF)).extracting(SeriesPoint::atMs).containsExactly(first + 5_000, first + 10_000);
    }

    @Test
    void shouldForgetAnUpstreamThatLeftTheCluster() {
        SeriesRecorder recorder = new SeriesRecorder(clock, 10);
        recorder.record(CONFIG, health(Map.of()), recommendation(1, 0));

        recorder.retain(ClusterSnapshot.EMPTY);

        assertThat(recorder.series(REF)).isEmpty();
    }
}
