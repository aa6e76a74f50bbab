package org.a6suite.plugins.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugins.fallback.internal.UpstreamSpec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class LaneConfigTest {

    private final AdaptiveFallbackPlugin plugin = new AdaptiveFallbackPlugin();

    @Test
    void shouldHaveNoLaneModeByDefault() throws Exception {
        assertThat(plugin.parseConfig("").lane()).isEmpty();
    }

    @Test
    void shouldApplyLaneDefaultsToAnUpstreamId() throws Exception {
        LaneSettings lane =
                plugin.parseConfig("{\"lane\":{\"upstream_id\":1}}").lane().orElseThrow();
        assertThat(lane.upstreamId()).contains("1");
        assertThat(lane.inline()).isEmpty();
        assertThat(lane.retries()).isEqualTo(1);
        assertThat(lane.hedge()).isEmpty();
        assertThat(lane.commitBytes()).isEqualTo(65_536);
        assertThat(lane.attemptTimeout().percentile()).isEqualTo(99);
        assertThat(lane.attemptTimeout().multiplier()).isEqualTo(2);
        assertThat(lane.attemptTimeout().floor()).isEqualTo(Duration.ofMillis(50));
        assertThat(lane.attemptTimeout().ceiling()).isEqualTo(Duration.ofSeconds(60));
        assertThat(lane.attemptTimeout().minSamples()).isEqualTo(20);
        assertThat(lane.attemptTimeout().warmupTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldParseInlineNodesInBothApisixForms() throws Exception {
        UpstreamSpec map = plugin.parseConfig("""
                {"lane":{"upstream":{"nodes":{"10.0.0.1:8080":3,"[::1]:81":0},"timeout":{"connect":0.5,"send":2,"read":3}}}}
                """).lane().orElseThrow().inline().orElseThrow();
        assertThat(map.nodes())
                .containsExactly(new UpstreamSpec.Node("10.0.0.1", 8080, 3, 0), new UpstreamSpec.Node("::1", 81, 0, 0));
        assertThat(map.nodes().get(1).hostPort()).isEqualTo("[::1]:81");
        assertThat(map.timeout().attemptCap()).isEqualTo(Duration.ofMillis(3500));
        UpstreamSpec array =
                plugin.parseConfig("""
                {"lane":{"upstream":{"scheme":"https","nodes":[{"host":"a.example","port":443,"weight":1,"priority":-1}]}}}
                """).lane().orElseThrow().inline().orElseThrow();
        assertThat(array.scheme()).isEqualTo("https");
        assertThat(array.nodes()).containsExactly(new UpstreamSpec.Node("a.example", 443, 1, -1));
        assertThat(array.timeout()).isEqualTo(UpstreamSpec.Timeout.NGINX_DEFAULT);
    }

    @Test
    void shouldParseHedgingAndAttemptSettings() throws Exception {
        LaneSettings lane = plugin.parseConfig("""
                {"lane":{"upstream_id":"users","retries":0,"commit_bytes":0,
                         "attempt_timeout":{"percentile":95,"multiplier":3,"floor_ms":100,"ceiling_ms":2000,"min_samples":5,
                                            "warmup_ms":1000,"window_ms":30000},
                         "hedge":{"percentile":90,"warmup_delay_ms":200,"max_extra_ratio":0.1}}}
                """).lane().orElseThrow();
        assertThat(lane.retries()).isZero();
        assertThat(lane.commitBytes()).isZero();
        assertThat(lane.attemptTimeout().ceiling()).isEqualTo(Duration.ofSeconds(2));
        assertThat(lane.attemptTimeout().window()).isEqualTo(Duration.ofSeconds(30));
        assertThat(lane.hedge()).contains(new LaneSettings.HedgeSettings(90, Duration.ofMillis(200), 0.1));
    }

    @Test
    void shouldRunTheSeedsFallbackDemoRouteOnTheLane() throws Exception {
        JsonNode route =
                JsonMapper.builder().build().readTree(Files.readString(Path.of("../../etcd-seed/data/routes/6.json")));
        assertThat(route.get("plugins").has("ext-plugin-post-resp")).isFalse();
        assertThat(route.get("upstream").get("nodes").has("127.0.0.1:9093")).isTrue();
        String value = route.get("plugins")
                .get("ext-plugin-pre-req")
                .get("conf")
                .get(0)
                .get("value")
                .asString();
        LaneSettings lane = plugin.parseConfig(value).lane().orElseThrow();
        assertThat(lane.upstreamId()).contains("1");
    }

    @Test
    void shouldRejectBadLaneValuesNamingTheField() {
        assertThatThrownBy(() -> plugin.parseConfig("{\"lane\":{}}"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("lane")
                .hasMessageContaining("exactly one of upstream_id");
        assertThatThrownBy(
                        () -> plugin.parseConfig("{\"lane\":{\"upstream_id\":1,\"upstream\":{\"nodes\":{\"a:1\":1}}}}"))
                .hasMessageContaining("both");
        assertThatThrownBy(() -> plugin.parseConfig("{\"lane\":{\"upstream\":{\"nodes\":{\"a:99999\":1}}}}"))
                .hasMessageContaining("lane.upstream.nodes");
        assertThatThrownBy(() -> plugin.parseConfig("{\"lane\":{\"upstream\":{\"nodes\":{\"a:1\":-1}}}}"))
                .hasMessageContaining("weight");
        assertThatThrownBy(() -> plugin.parseConfig(
                        "{\"lane\":{\"upstream\":{\"nodes\":{\"a:1\":1},\"timeout\":{\"connect\":1}}}}"))
                .hasMessageContaining("lane.upstream.timeout.send");
        assertThatThrownBy(() -> plugin.parseConfig("{\"lane\":{\"upstream_id\":1,\"retries\":9}}"))
                .hasMessageContaining("lane.retries");
        assertThatThrownBy(() -> plugin.parseConfig("{\"lane\":{\"upstream_id\":1,\"hedge\":{\"percentile\":100}}}"))
                .hasMessageContaining("lane.hedge.percentile");
        assertThatThrownBy(() -> plugin.parseConfig(
                        "{\"lane\":{\"upstream_id\":1,\"attempt_timeout\":{\"floor_ms\":2000,\"ceiling_ms\":1000}}}"))
                .hasMessageContaining("lane.attempt_timeout");
        assertThatThrownBy(() -> plugin.parseConfig("{\"lane\":{\"upstream_id\":1,\"nodes\":[]}}"))
                .hasMessageContaining("lane.nodes");
    }
}
