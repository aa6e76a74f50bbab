package org.a6suite.optimizer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PolicyCodecTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldInheritFieldsFromTheDefaultAndOverrideOnlyWhatIsGiven() {
        Policy base = PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"mode\":\"auto\",\"readFactor\":3}"), "");
        Policy upstream = PolicyCodec.merge(base, JSON.readTree("{\"maxReadTimeout\":30,\"minSamples\":\"20\"}"), "");
        assertThat(upstream.mode()).isEqualTo(Mode.AUTO);
        assertThat(upstream.readFactor()).isEqualTo(3.0);
        assertThat(upstream.maxReadTimeout()).isEqualTo(30.0);
        assertThat(upstream.minSamples()).isEqualTo(20);
        assertThat(upstream.connectFactor()).isEqualTo(Policy.DEFAULT.connectFactor());
        assertThat(PolicyCodec.merge(Policy.DEFAULT, PolicyCodec.toJson(upstream), "")).isEqualTo(upstream);
        assertThat(PolicyCodec.toJson(upstream).get("mode").asString()).isEqualTo("auto");
    }

    @Test
    void shouldNameTheFieldOfEveryBadValue() {
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"minReadTimeout\":90}"), ""))
                .isInstanceOf(PolicyException.class)
                .hasMessage("maxReadTimeout: 60.0 (expected: a number in [90, 3600])");
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"minSamples\":1.5}"), "p."))
                .hasMessage("p.minSamples: 1.5 (expected: a whole number)");
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("{\"readPercentile\":\"p95\"}"), ""))
                .hasMessage("readPercentile: p95 (expected: p50, p90, p99 or p999)");
        assertThatThrownBy(() -> PolicyCodec.merge(Policy.DEFAULT, JSON.readTree("[1]"), ""))
                .hasMessageStartingWith("policy: [1] (expected: a JSON object");
        assertThat(PolicyCodec.camel("rollback-error-rate-increase")).isEqualTo("rollbackErrorRateIncrease");
    }
}
