package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.testing.A6TestClient;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.Test;

class ConnectionRobustnessTest extends RunnerFixture {

    @Test
    void shouldExpireATokenLeftUnusedForTwiceTheConfExpireTime() {
        AtomicLong nanos = new AtomicLong();
        start(
                RunnerOptions.defaults().withTicker(nanos::get),
                TestPlugin.named("noop").build());
        long token = prepare("noop", "");
        A6TestClient client = connect();

        nanos.addAndGet(Duration.ofSeconds(7000).toNanos());
        assertThat(client.call(requestCall(token)))
                .as("still alive after 7000 s idle (retention 7200 s)")
                .isInstanceOf(HttpReqCallResponse.class);
        nanos.addAndGet(Duration.ofSeconds(7000).toNanos());
        assertThat(client.call(requestCall(token)))
                .as("each use restarts the idle timer")
                .isInstanceOf(HttpReqCallResponse.class);
        nanos.addAndGet(Duration.ofSeconds(7201).toNanos());
        assertThat(client.call(requestCall(token)))
                .isEqualTo(new ErrorResponse(ErrorResponse.Code.CONF_TOKEN_NOT_FOUND));
    }

    @Test
    void shouldRemoveAStaleSocketFileAtStart() throws IOException {
        // A socket file nobody listens on, as a killed runner leaves behind.
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertThat(socket()).exists();
        start(TestPlugin.named("noop").build());
        assertThat(prepare("noop", "")).isNotZero();
    }

    @Test
    void shouldRefuseToStartWhenARegularFileIsAtTheSocketPath() throws IOException {
        Files.writeString(socket(), "not a socket");
        assertThatThrownBy(() -> start(TestPlugin.named("noop").build()))
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining(socket().toString())
                .hasMessageContaining("regular file");
        assertThat(Files.readString(socket())).isEqualTo("not a socket");
    }

    @Test
    void shouldRefuseToStartWhenADirectoryIsAtTheSocketPath() throws IOException {
        Files.createDirectory(socket());
        assertThatThrownBy(() -> start())
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining("directory");
    }

    @Test
    void shouldRefuseToStartWhenTheSocketDirectoryIsMissing() {
        Path missing = tempDir.resolve("nope/runner.sock");
        assertThatThrownBy(() -> start(RunnerConfig.builder(missing).build(), RunnerOptions.defaults()))
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void shouldRefuseToStartWhenAnotherRunnerListens() {
        start();
        assertThatThrownBy(
                        () -> RunnerServer.start(RunnerConfig.builder(socket()).build(), List.of()))
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void shouldSetTheSocketModeSoTheWorkersGroupCanConnect() throws IOException {
        start();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())))
                .isEqualTo("rw-rw----");
    }

    @Test
    void shouldApplyAConfiguredSocketMode() throws IOException {
        start(RunnerConfig.builder(socket()).socketMode(0600).build(), RunnerOptions.defaults());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())))
                .isEqualTo("rw-------");
    }

    @Test
    void shouldRemoveTheSocketFileOnClose() {
        RunnerServer server = start();
        server.close();
        assertThat(socket()).doesNotExist();
    }

    @Test
    void shouldAnswerAMalformedFrameWithBadRequestCloseAndKeepServingOthers() {
        RunnerServer server = start(TestPlugin.named("noop").build());
        long token = prepare("noop", "");
        A6TestClient bad = connect();
        // Type 2 with 5 bytes of garbage that is no FlatBuffer.
        bad.sendRaw(new byte[] {2, 0, 0, 5, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
        DecodeResult reply = bad.poll(Duration.ofSeconds(5));
        assertThat(reply).isEqualTo(new DecodeResult.Decoded(new ErrorResponse(ErrorResponse.Code.BAD_REQUEST)));
        assertThat(bad.awaitClosed(Duration.ofSeconds(5))).isTrue();

        A6TestClient unknownType = connect();
        unknownType.sendRaw(new byte[] {9, 0, 0, 1, 0});
        assertThat(unknownType.awaitClosed(Duration.ofSeconds(5))).isTrue();

        A6TestClient zeroLength = connect();
        zeroLength.sendRaw(new byte[] {1, 0, 0, 0});
        assertThat(zeroLength.awaitClosed(Duration.ofSeconds(5))).isTrue();

        assertThat(connect().call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
        assertThat(server.runnerMetrics().protocolErrors()).isEqualTo(3);
    }

    @Test
    void shouldCloseAConnectionThatSendsARequestWhileACallIsInFlight() {
        start(TestPlugin.named("vars")
                .requirements(org.a6suite.plugin.Requirements.vars("a"))
                .build());
        long token = prepare("vars", "");
        A6TestClient client = connect();
        client.send(requestCall(token));
        assertThat(client.receive()).isInstanceOf(org.a6suite.protocol.message.ExtraInfoRequest.class);
        client.send(requestCall(token));
        assertThat(client.receive()).isEqualTo(new ErrorResponse(ErrorResponse.Code.BAD_REQUEST));
        assertThat(client.awaitClosed(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void shouldCloseAnIdleConnectionStuckInsideAFrameButKeepIdlePooledOnes() {
        start(
                RunnerOptions.defaults().withIdleTimeout(Duration.ofMillis(300)),
                TestPlugin.named("noop").build());
        long token = prepare("noop", "");
        A6TestClient pooled = connect();
        assertThat(pooled.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
        A6TestClient partial = connect();
        partial.sendRaw(new byte[] {2, 0, 0, 100, 1, 2});

        assertThat(partial.awaitClosed(Duration.ofSeconds(5))).isTrue();
        // Several idle periods later the connection that stopped between frames is still served.
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(pooled::isOpen);
        assertThat(pooled.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
    }

    @Test
    void shouldServeRunnerAndPluginMetricsOverHttp() throws Exception {
        var counting = TestPlugin.named("counting").build();
        RunnerServer server = start(
                RunnerConfig.builder(socket())
                        .metricsAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
                        .build(),
                RunnerOptions.defaults(),
                counting);
        server.hooks().metrics().increment("a6_test_total", "A test counter", Map.of("provider", "p\"1"), 2);
        server.hooks().metrics().observe("a6_test_seconds", "A test histogram", Map.of(), 0.25);
        long token = prepare("counting", "");
        connect().call(requestCall(token));

        var address = server.metricsAddress().orElseThrow();
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newHttpClient()) {
            response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body())
                .contains("# TYPE a6_test_total counter\na6_test_total{provider=\"p\\\"1\"} 2.0\n")
                .contains("# TYPE a6_test_seconds histogram\n")
                .contains("a6_test_seconds_bucket{le=\"0.25\"} 1\n")
                .contains("a6_test_seconds_count 1\n")
                .contains("a6_runner_calls_total{result=\"ok\",type=\"http_req_call\"} 1.0\n")
                .contains("a6_runner_calls_total{result=\"ok\",type=\"prepare_conf\"} 1.0\n")
                .contains("a6_runner_call_duration_seconds_count{type=\"http_req_call\"} 1\n")
                .contains("a6_runner_call_duration_seconds_bucket{type=\"http_req_call\",le=\"+Inf\"} 1\n");
    }

    @Test
    void shouldFailStartWhenAPluginStartFailsAndLeaveNoSocket() {
        var broken = new TestPluginThatFailsToStart();
        assertThatThrownBy(() -> start(broken))
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining("broken")
                .hasMessageContaining("failed to start");
        assertThat(socket()).doesNotExist();
    }

    @Test
    void shouldRejectTwoPluginsWithOneName() {
        assertThatThrownBy(() -> start(
                        TestPlugin.named("same").build(),
                        TestPlugin.named("same")
                                .onRequest((r, c) -> RequestDecision.proceed())
                                .build()))
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining("same")
                .hasMessageContaining(TestPlugin.class.getName());
    }

    private static final class TestPluginThatFailsToStart implements org.a6suite.plugin.Plugin<String> {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public String parseConfig(String value) {
            return value;
        }

        @Override
        public void start(org.a6suite.plugin.PluginEnvironment environment) {
            throw new IllegalStateException("no credentials");
        }
    }
}
