package org.a6suite.optimizer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PolicyCodecTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldInheritFieldsFromTheDefaultAndOverrideOnlyWhatIsGiven() {
        Policy base = PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"mode\":\"auto\",\"read_factor\":3}"), "");
        Policy upstream =
                PolicyCodec.merge(base, JSON.readTree("{\"max_read_timeout\":30,\"min_samples\":\"20\"}"), "");
        assertThat(upstream.mode()).isEqualTo(Mode.AUTO);
        assertThat(upstream.readFactor()).isEqualTo(3.0);
        assertThat(upstream.maxReadTimeout()).isEqualTo(30.0);
        assertThat(upstream.minSamples()).isEqualTo(20);
        assertThat(upstream.connectFactor()).isEqualTo(Policy.DEFAULT.connectFactor());
        assertThat(PolicyCodec.merge(Policy.DEFAULT, PolicyCodec.toJson(upstream), ""))
                .isEqualTo(upstream);
        assertThat(PolicyCodec.toJson(upstream).get("mode").asString()).isEqualTo("auto");
    }

    @Test
    void shouldNameTheFieldOfEveryBadValue() {
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"min_read_timeout\":90}"), ""))
                .isInstanceOf(PolicyException.class)
                .hasMessage("max_read_timeout: 60.0 (expected: a number in [90, 3600])");
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"min_samples\":1.5}"), "p."))
                .hasMessage("p.min_samples: 1.5 (expected: a whole number)");
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"read_percentile\":\"p95\"}"), ""))
                .hasMessage("read_percentile: p95 (expected: p50, p90, p99 or p999)");
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("[1]"), ""))
                .hasMessageStartingWith("policy: [1] (expected: a JSON object");
    }

    @Test
    void shouldRefuseCamelCaseFieldsNamingTheSnakeCaseOne() {
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"readFactor\":3}"), ""))
                .isInstanceOf(PolicyException.class)
                .hasMessage("readFactor: 3 (expected: field names are snake_case: read_factor)")
                .extracting(e -> ((PolicyException) e).field())
                .isEqualTo("readFactor");
    }

    @Test
    void shouldWriteEveryFieldInSnakeCase() {
        assertThat(PolicyCodec.toJson(Policy.DEFAULT).propertyNames())
                .hasSize(Policy.class.getRecordComponents().length)
                .allMatch(name -> name.matches("[a-z][a-z0-9]*(_[a-z0-9]+)*"), "snake_case")
                .contains("rollback_error_rate_increase", "timeout_min_interval_seconds", "latency_tolerance_ms");
    }
}
