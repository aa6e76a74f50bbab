package org.a6suite.runner.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.runner.metrics.RunnerMetrics.CallResult;
import org.a6suite.runner.metrics.RunnerMetrics.CallType;
import org.junit.jupiter.api.Test;

class RunnerMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
    private final AtomicLong buffered = new AtomicLong();
    private final RunnerMetrics metrics = new RunnerMetrics(registry, buffered::get, ticker::get);

    @Test
    void shouldCountCallsAndRecordTheirDurationFromTheTicker() {
        long start = metrics.now();
        ticker.addAndGet(3_000_000); // 3 ms
        metrics.call(CallType.HTTP_REQ_CALL, CallResult.OK, start);
        metrics.call(CallType.HTTP_REQ_CALL, CallResult.TOKEN_NOT_FOUND);

        assertThat(metrics.calls(CallType.HTTP_REQ_CALL, CallResult.OK)).isEqualTo(1);
        assertThat(metrics.timedCalls(CallType.HTTP_REQ_CALL)).isEqualTo(1);
        assertThat(registry.scrape())
                .contains(
                        "a6_runner_calls_total{result=\"ok\",type=\"http_req_call\"} 1.0\n",
                        "a6_runner_calls_total{result=\"token_not_found\",type=\"http_req_call\"} 1.0\n",
                        "a6_runner_calls_total{result=\"ok\",type=\"prepare_conf\"} 0.0\n",
                        "# TYPE a6_runner_call_duration_seconds histogram\n",
                        "a6_runner_call_duration_seconds_bucket{type=\"http_req_call\",le=\"0.0025\"} 0\n",
                        "a6_runner_call_duration_seconds_bucket{type=\"http_req_call\",le=\"0.005\"} 1\n",
                        "a6_runner_call_duration_seconds_count{type=\"http_req_call\"} 1\n",
                        "a6_runner_call_duration_seconds_sum{type=\"http_req_call\"} 0.003\n");
    }

    @Test
    void shouldReadConnectionAndBufferGaugesAtScrapeTime() {
        metrics.connectionOpened();
        metrics.connectionOpened();
        metrics.connectionClosed();
        buffered.set(4096);
        metrics.frameRefused();

        assertThat(registry.scrape())
                .contains(
                        "a6_runner_connections 1.0\n",
                        "a6_runner_buffered_bytes 4096.0\n",
                        "a6_runner_refused_frames_total 1.0\n",
                        "a6_runner_protocol_errors_total 0.0\n",
                        "a6_runner_refused_connections_total 0.0\n",
                        "a6_runner_frame_timeouts_total 0.0\n");
    }
}
