package org.a6suite.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Passive health checks and the Control API's {@code GET /v1/healthcheck} (reference apisix-upstreams-etcd.md:
 * {@code [{name, type, nodes: [{ip, port, status, counter: {success, http_failure, tcp_failure, timeout_failure}}]}]};
 * passive defaults: unhealthy after 5 HTTP failures of statuses 429/500/503; only upstreams with {@code checks} that
 * served traffic appear; unhealthy nodes are skipped while a healthy one is left).
 */
class ControlApiHealthcheckTest {

    @TempDir
    Path dir;

    EchoBackend good;
    EchoBackend bad;
    ApisixEmulator emulator;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
        good.close();
        bad.close();
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldMarkANodeUnhealthyAfterFivePassiveHttpFailuresAndStopPickingIt() throws Exception {
        good = EchoBackend.start("127.0.0.1", 0);
        bad = EchoBackend.start("127.0.0.2", 0);
        bad.fault(Fault.status(500));
        EmulatorUpstream checked = new EmulatorUpstream(
                List.of(
                        new EmulatorUpstream.Node(good.host(), good.port(), 1),
                        new EmulatorUpstream.Node(bad.host(), bad.port(), 1)),
                EmulatorUpstream.Timeout.DEFAULT,
                OptionalInt.empty(),
                Duration.ZERO,
                true);
        EmulatorUpstream unchecked = new EmulatorUpstream(
                List.of(new EmulatorUpstream.Node(good.host(), good.port(), 1)), EmulatorUpstream.Timeout.DEFAULT);
        emulator = ApisixEmulator.builder()
                .runnerSocket(dir.resolve("unused.sock"))
                .controlPort(0)
                .route(EmulatorRoute.builder("1").uri("/h/*").upstream(checked).build())
                .route(EmulatorRoute.builder("2")
                        .uri("/u/*")
                        .upstream(unchecked)
                        .build())
                .build()
                .start();
        get(URI.create(emulator.baseUri() + "/u/x"));
        for (int i = 0; i < 10; i++) {
            get(URI.create(emulator.baseUri() + "/h/x"));
        }
        assertThat(bad.requestCount()).isEqualTo(5);
        for (int i = 0; i < 10; i++) {
            assertThat(get(URI.create(emulator.baseUri() + "/h/x")).statusCode())
                    .isEqualTo(200);
        }
        assertThat(bad.requestCount()).isEqualTo(5);

        HttpResponse<String> r = get(emulator.healthcheckUri().orElseThrow());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JsonMapper.builder().build().readTree(r.body());
        assertThat(body.size()).isEqualTo(1); // the unchecked upstream does not appear
        assertThat(body.get(0).path("name").asString()).isEqualTo("/apisix/routes/1");
        JsonNode nodes = body.get(0).path("nodes");
        assertThat(nodes.get(0).path("ip").asString()).isEqualTo("127.0.0.1");
        assertThat(nodes.get(0).path("port").asInt()).isEqualTo(good.port());
        assertThat(nodes.get(0).path("status").asString()).isEqualTo("healthy");
        assertThat(nodes.get(1).path("ip").asString()).isEqualTo("127.0.0.2");
        assertThat(nodes.get(1).path("status").asString()).isEqualTo("unhealthy");
        assertThat(nodes.get(1).path("counter").path("http_failure").asInt()).isEqualTo(5);
    }
}
