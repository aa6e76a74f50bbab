package org.a6suite.plugins.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.PluginConfigException;
import org.junit.jupiter.api.Test;

class ConfigParsingTest {

    private final AdaptiveFallbackPlugin plugin = new AdaptiveFallbackPlugin();

    @Test
    void shouldApplyDefaultsToAnEmptyValue() throws Exception {
        FallbackConfig c = plugin.parseConfig("");
        assertThat(c.methods()).containsExactlyInAnyOrder(HttpMethod.GET, HttpMethod.HEAD);
        assertThat(c.cache()).isEqualTo(CacheSettings.DEFAULT);
        assertThat(c.goodStatuses().contains(204)).isTrue();
        assertThat(c.failureStatuses().contains(503)).isTrue();
        assertThat(c.failureStatuses().contains(404)).isFalse();
        assertThat(c.breaker().windowSize()).isEqualTo(20);
        assertThat(c.breaker().minimumCalls()).isEqualTo(10);
        assertThat(c.breaker().waitInOpenState()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.halfOpenShare()).isEqualTo(0.1);
        assertThat(c.unansweredTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.staticResponse()).isEmpty();
        assertThat(c.replaceFailures()).isTrue();
        assertThat(c.upstreamKey()).isEmpty();
    }

    @Test
    void shouldParseAFullConfiguration() throws Exception {
        FallbackConfig c = plugin.parseConfig("""
                {"key":{"args":["page"],"headers":["Accept-Language"]},"methods":["GET"],
                 "cache":{"max_entries":10,"max_body_bytes":100,"max_age_ms":1500,"cache_set_cookie":true},
                 "good_statuses":["200-299",304],"failure_statuses":["5xx",429],
                 "breaker":{"window_type":"time","window_size":30,"minimum_calls":5,"failure_rate_threshold":25,
                            "slow_call_ms":500,"slow_call_rate_threshold":80,"wait_in_open_ms":2000,"permitted_in_half_open":4,
                            "half_open_share":0.25},
                 "unanswered_timeout_ms":3000,"replace_failures":false,"upstream_key":"upstreams/1",
                 "static":{"status":503,"body":"busy","content_type":"text/plain","headers":{"Retry-After":"1"}}}
                """);
        assertThat(c.key().headers()).containsExactly("accept-language");
        assertThat(c.cache().maxAge()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.goodStatuses().contains(304)).isTrue();
        assertThat(c.failureStatuses().contains(429)).isTrue();
        assertThat(c.breaker().slowCallDuration()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.halfOpenShare()).isEqualTo(0.25);
        assertThat(c.staticResponse()).get().satisfies(s -> {
            assertThat(s.status()).isEqualTo(503);
            assertThat(s.contentType()).isEqualTo("text/plain");
            assertThat(s.headers().first("retry-after")).contains("1");
        });
        assertThat(c.upstreamKey()).contains("upstreams/1");
    }

    @Test
    void shouldNameTheFieldValueAndExpectationOnErrors() {
        assertError(
                "{\"cache\":{\"max_entries\":-1}}", "cache.max_entries", "-1 (expected: an integer in [0, 1000000])");
        assertError("{\"methods\":[\"FETCH\"]}", "methods[0]", "\"FETCH\" (expected: one of [GET, HEAD");
        assertError(
                "{\"breaker\":{\"half_open_share\":0}}", "breaker.half_open_share", "0 (expected: a number in (0, 1])");
        assertError(
                "{\"breaker\":{\"failure_rate_threshold\":150}}",
                "breaker.failure_rate_threshold",
                "150 (expected: a number in (0, 100])");
        assertError(
                "{\"good_statuses\":[\"2xx\"],\"failure_statuses\":[\"200-599\"]}",
                "failure_statuses",
                "expected: no status also in good_statuses");
        assertError("{\"good_statuses\":[\"7xx\"]}", "good_statuses", "7xx (expected:");
        assertError("{\"static\":{\"headers\":{\"Content-Length\":\"3\"}}}", "static.headers", "Content-Length");
        assertError("{\"upstream_key\":\"/apisix/upstreams/1\"}", "upstream_key", "expected: upstreams/<id>");
        assertError(
                "{\"cache\":{\"max_age_ms\":0}}", "cache.max_age_ms", "0 (expected: milliseconds in [1, 604800000])");
        assertError("{\"nope\":1}", "nope", "unknown field (expected: one of");
        assertError("[1]", "$", "expected: a JSON object");
        assertError("{bad", "$", "not valid JSON");
    }

    @Test
    void shouldReportEveryProblemOfAValueInOneMessage() {
        assertThatThrownBy(() -> plugin.parseConfig("{\"cache\":{\"max_entries\":-1},\"replace_failures\":\"no\","
                        + "\"breaker\":{\"wait_in_open\":10}}"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("breaker.wait_in_open: unknown field (expected: one of [failure_rate_threshold,"
                        + " half_open_share, minimum_calls, permitted_in_half_open, slow_call_ms,"
                        + " slow_call_rate_threshold, wait_in_open_ms, window_size, window_type]);"
                        + " cache.max_entries: -1 (expected: an integer in [0, 1000000]);"
                        + " replace_failures: \"no\" (expected: true or false)");
    }

    private void assertError(String json, String field, String messagePart) {
        assertThatThrownBy(() -> plugin.parseConfig(json))
                .isInstanceOf(PluginConfigException.class)
                .satisfies(e -> assertThat(((PluginConfigException) e).field()).isEqualTo(field))
                .hasMessageContaining(field + ": ")
                .hasMessageContaining(messagePart);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {200, 5_000})
    void shouldRefuseDeeplyNestedConfigurationWithAConfigErrorNotACrash(int depth) {
        String value = "{\"methods\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plugin.parseConfig(value))
                .isInstanceOf(org.a6suite.plugin.PluginConfigException.class)
                .hasMessageContaining("levels deep");
    }
}
