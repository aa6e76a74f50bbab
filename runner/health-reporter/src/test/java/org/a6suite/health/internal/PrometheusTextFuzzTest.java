package org.a6suite.health.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the Prometheus text parser the health reporter runs on APISIX's exporter output: any
 * text parses to samples plus a count of malformed lines, never an exception.
 */
class PrometheusTextFuzzTest {

    private static final Set<String> WANTED = Set.of(
            "apisix_http_status", "apisix_http_latency_bucket", "apisix_http_latency_count", "apisix_http_latency_sum");

    @FuzzTest(maxDuration = "15s")
    void shouldParseAnyTextWithoutAnException(String text) {
        if (text == null) {
            return; // Jazzer also tries null; the parser's contract refuses it (requireNonNull) on purpose
        }
        PrometheusText.Result result = PrometheusText.parse(text, WANTED);
        assertThat(result.samples()).allSatisfy(s -> assertThat(WANTED).contains(s.name()));
        assertThat(result.malformedLines()).isNotNegative();
    }
}
