package org.a6suite.runner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaneConfigTest {

    private static Map<String, String> env(String... kv) {
        Map<String, String> env = new HashMap<>();
        env.put("APISIX_LISTEN_ADDRESS", "unix:/tmp/apisix-1.sock");
        env.put("APISIX_CONF_EXPIRE_TIME", "3600");
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    @Test
    void shouldServeTheLaneOnLoopback9093With8MiBBodiesAnd30SecondHandoffsByDefault() {
        RunnerConfig config = RunnerConfig.fromEnvironment(env());

        assertThat(config.laneAddress()).contains(new InetSocketAddress("127.0.0.1", 9093));
        assertThat(config.laneMaxBodyBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(config.laneHandoffTtl()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldReadTheLaneSettings() {
        RunnerConfig config = RunnerConfig.fromEnvironment(
                env("A6_LANE_ADDRESS", "127.0.0.1:0", "A6_LANE_MAX_BODY_BYTES", "1024", "A6_LANE_HANDOFF_TTL", "5"));

        assertThat(config.laneAddress()).contains(new InetSocketAddress("127.0.0.1", 0));
        assertThat(config.laneMaxBodyBytes()).isEqualTo(1024);
        assertThat(config.laneHandoffTtl()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldTurnTheLaneOffWithOff() {
        assertThat(RunnerConfig.fromEnvironment(env("A6_LANE_ADDRESS", "off")).laneAddress())
                .isEmpty();
    }

    @Test
    void shouldKeepTheLaneOffForEmbeddedRunnersUnlessAsked() {
        assertThat(RunnerConfig.builder(Path.of("/tmp/s.sock")).build().laneAddress())
                .isEmpty();
    }

    @Test
    void shouldRefuseAUnixSocketSinceApisixCannotProxyToOne() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_LANE_ADDRESS", "unix:/tmp/lane.sock")))
                .isInstanceOf(RunnerConfigException.class)
                .hasMessage("A6_LANE_ADDRESS: unix:/tmp/lane.sock (expected: host:port such as 127.0.0.1:9093, "
                        + "or off; APISIX cannot use a unix socket as an upstream node)");
    }

    @Test
    void shouldNameTheVariableTheValueAndTheRangeOfABadLaneSetting() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_LANE_ADDRESS", "9093")))
                .hasMessage("A6_LANE_ADDRESS: 9093 (expected: host:port, e.g. 127.0.0.1:9093, or off)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_LANE_HANDOFF_TTL", "0")))
                .hasMessage("A6_LANE_HANDOFF_TTL: 0 (expected: seconds, 1..3600)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_LANE_MAX_BODY_BYTES", "-1")))
                .hasMessage("A6_LANE_MAX_BODY_BYTES: -1 (expected: bytes, 0..1073741824)");
        assertThatThrownBy(() -> RunnerConfig.builder(Path.of("/tmp/s.sock"))
                        .laneHandoffTtl(Duration.ZERO)
                        .build())
                .hasMessage("laneHandoffTtl: PT0S (expected: PT1S..PT1H)");
    }
}
