package org.a6suite.runner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerConfigTest {

    private static Map<String, String> env(String... kv) {
        Map<String, String> env = new HashMap<>();
        env.put("APISIX_LISTEN_ADDRESS", "unix:/tmp/apisix-1.sock");
        env.put("APISIX_CONF_EXPIRE_TIME", "3600");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                env.remove(kv[i]);
            } else {
                env.put(kv[i], kv[i + 1]);
            }
        }
        return env;
    }

    @Test
    void shouldReadTheVariablesApisixSetsWithDefaultsForTheRest() {
        RunnerConfig config = RunnerConfig.fromEnvironment(env());
        assertThat(config.socketPath()).isEqualTo(Path.of("/tmp/apisix-1.sock"));
        assertThat(config.confExpireTime()).isEqualTo(Duration.ofHours(1));
        assertThat(config.pluginsDir()).isEmpty();
        assertThat(config.socketMode()).isEqualTo(0660);
        assertThat(config.blockingThreads()).isEqualTo(256);
        assertThat(config.workerThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.metricsAddress()).isEmpty();
    }

    @Test
    void shouldReadTheOptionalVariables() {
        RunnerConfig config = RunnerConfig.fromEnvironment(env(
                "A6_PLUGINS_DIR",
                "/opt/plugins",
                "A6_WORKER_THREADS",
                "3",
                "A6_BLOCKING_THREADS",
                "16",
                "A6_SOCKET_MODE",
                "0600",
                "A6_METRICS_ADDRESS",
                "127.0.0.1:9464"));
        assertThat(config.pluginsDir()).contains(Path.of("/opt/plugins"));
        assertThat(config.workerThreads()).isEqualTo(3);
        assertThat(config.blockingThreads()).isEqualTo(16);
        assertThat(config.socketMode()).isEqualTo(0600);
        assertThat(config.metricsAddress().orElseThrow().getPort()).isEqualTo(9464);
    }

    @Test
    void shouldReadThePeerLimitsWithTheirDefaults() {
        assertThat(RunnerConfig.fromEnvironment(env()).limits())
                .isEqualTo(new ConnectionLimits(4096, 65536, 67_108_864L, Duration.ofSeconds(60)));
        assertThat(RunnerConfig.fromEnvironment(env(
                                "A6_MAX_CONNECTIONS",
                                "100",
                                "A6_CONNECTION_BUFFER_BYTES",
                                "4096",
                                "A6_MAX_BUFFERED_BYTES",
                                "0",
                                "A6_FRAME_TIMEOUT",
                                "5"))
                        .limits())
                .isEqualTo(new ConnectionLimits(100, 4096, 0, Duration.ofSeconds(5)));
    }

    @Test
    void shouldRejectPeerLimitsOutOfRangeNamingTheVariable() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_MAX_CONNECTIONS", "0")))
                .hasMessage("A6_MAX_CONNECTIONS: 0 (expected: an integer 1..1000000)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_CONNECTION_BUFFER_BYTES", "16777220")))
                .hasMessage("A6_CONNECTION_BUFFER_BYTES: 16777220 (expected: bytes, 4096..16777219)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_MAX_BUFFERED_BYTES", "-1")))
                .hasMessage("A6_MAX_BUFFERED_BYTES: -1 (expected: bytes, 0..1099511627776)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_FRAME_TIMEOUT", "1m")))
                .hasMessage("A6_FRAME_TIMEOUT: 1m (expected: seconds, 1..3600)");
    }

    @Test
    void shouldReadTheTransportDefaultingToEpollAndRejectAnUnknownOne() {
        assertThat(RunnerConfig.fromEnvironment(env()).transport()).isEqualTo(IoTransport.EPOLL);
        assertThat(RunnerConfig.fromEnvironment(env("A6_TRANSPORT", "auto")).transport())
                .isEqualTo(IoTransport.AUTO);
        assertThat(RunnerConfig.fromEnvironment(env("A6_TRANSPORT", "io_uring")).transport())
                .isEqualTo(IoTransport.IO_URING);
        assertThat(RunnerConfig.fromEnvironment(env("A6_TRANSPORT", "EPOLL")).transport())
                .isEqualTo(IoTransport.EPOLL);
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_TRANSPORT", "nio")))
                .hasMessage("A6_TRANSPORT: nio (expected: auto, epoll or io_uring)");
    }

    @Test
    void shouldReadAnExplicitSocketOwner() {
        assertThat(RunnerConfig.fromEnvironment(env()).socketOwner()).isEmpty();
        assertThat(RunnerConfig.fromEnvironment(env("A6_SOCKET_OWNER", "nobody"))
                        .socketOwner())
                .contains(SocketOwner.of("nobody"));
        assertThat(RunnerConfig.fromEnvironment(env("A6_SOCKET_OWNER", "apisix:www-data"))
                        .socketOwner())
                .contains(new SocketOwner("apisix", java.util.Optional.of("www-data")));
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_SOCKET_OWNER", "a:b:c")))
                .hasMessage("A6_SOCKET_OWNER: a:b:c (expected: user or user:group, e.g. nobody or apisix:apisix)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_SOCKET_OWNER", "-rf")))
                .hasMessageStartingWith("A6_SOCKET_OWNER: -rf (expected:");
    }

    @Test
    void shouldNameAMissingListenAddressAndItsForm() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("APISIX_LISTEN_ADDRESS", null)))
                .isInstanceOf(RunnerConfigException.class)
                .hasMessage("APISIX_LISTEN_ADDRESS: <missing> (expected: unix:/absolute/path.sock)");
    }

    @Test
    void shouldNameAMissingExpireTime() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("APISIX_CONF_EXPIRE_TIME", null)))
                .hasMessageStartingWith("APISIX_CONF_EXPIRE_TIME: <missing>");
    }

    @Test
    void shouldRejectAListenAddressThatIsNotAUnixPath() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("APISIX_LISTEN_ADDRESS", "/tmp/x.sock")))
                .hasMessage("APISIX_LISTEN_ADDRESS: /tmp/x.sock (expected: unix:/absolute/path.sock)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("APISIX_LISTEN_ADDRESS", "unix:rel.sock")))
                .hasMessageContaining("expected: unix:/absolute/path.sock");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("APISIX_LISTEN_ADDRESS", "unix:/" + "x".repeat(120))))
                .hasMessageContaining("at most 107 bytes");
    }

    @Test
    void shouldRejectBadNumbersAndModes() {
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("APISIX_CONF_EXPIRE_TIME", "soon")))
                .hasMessage("APISIX_CONF_EXPIRE_TIME: soon (expected: seconds, 1..31536000)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("APISIX_CONF_EXPIRE_TIME", "0")))
                .hasMessageContaining("APISIX_CONF_EXPIRE_TIME: 0");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_WORKER_THREADS", "0")))
                .hasMessage("A6_WORKER_THREADS: 0 (expected: an integer 1..1024)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_SOCKET_MODE", "0999")))
                .hasMessage("A6_SOCKET_MODE: 0999 (expected: octal permission bits such as 0660)");
        assertThatThrownBy(() -> RunnerConfig.fromEnvironment(env("A6_METRICS_ADDRESS", "9464")))
                .hasMessageStartingWith("A6_METRICS_ADDRESS: 9464 (expected: host:port");
    }

    @Test
    void shouldTranslateTheModeIntoPosixPermissions() {
        RunnerConfig config =
                RunnerConfig.builder(Path.of("/tmp/s.sock")).socketMode(0660).build();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(config.socketPermissions()))
                .isEqualTo("rw-rw----");
    }
}
