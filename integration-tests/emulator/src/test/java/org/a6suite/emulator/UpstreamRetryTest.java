package org.a6suite.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream timeouts and retries as APISIX configures nginx: {@code timeout.connect/send/read} (seconds, fractional),
 * {@code retries} (absent: nodes - 1, APISIX's balancer {@code set_more_tries}), {@code retry_timeout}
 * ({@code proxy_next_upstream_timeout}, 0 = off), nginx's default {@code proxy_next_upstream error timeout} (an upstream
 * 500 is passed through, not retried; POST is not resent once sent), 504 after a timeout and 502 after an error.
 */
class UpstreamRetryTest {

    @TempDir
    Path dir;

    final List<EchoBackend> backends = new ArrayList<>();
    ApisixEmulator emulator;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void tearDown() {
        if (emulator != null) {
            emulator.close();
        }
        backends.forEach(EchoBackend::close);
    }

    private EchoBackend backend() {
        EchoBackend b = EchoBackend.start();
        backends.add(b);
        return b;
    }

    private void start(EmulatorUpstream upstream) {
        emulator = ApisixEmulator.builder()
                .runnerSocket(dir.resolve("unused.sock"))
                .route(EmulatorRoute.builder("1").uri("/r/*").upstream(upstream).build())
                .build()
                .start();
    }

    private static EmulatorUpstream upstream(
            List<EchoBackend> nodes, double readSeconds, OptionalInt retries, Duration retryTimeout) {
        return new EmulatorUpstream(
                nodes.stream()
                        .map(b -> new EmulatorUpstream.Node("127.0.0.1", b.port(), 1))
                        .toList(),
                new EmulatorUpstream.Timeout(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(Math.round(readSeconds * 1000))),
                retries,
                retryTimeout);
    }

    private HttpResponse<String> call(String method) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(emulator.baseUri() + "/r/x"))
                        .method(method, HttpRequest.BodyPublishers.ofString(method.equals("POST") ? "b" : ""))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswer504WhenTheOnlyNodeExceedsTheFractionalReadTimeout() throws Exception {
        EchoBackend slow = backend();
        slow.fault(Fault.hang());
        start(upstream(List.of(slow), 0.3, OptionalInt.empty(), Duration.ZERO));
        long t0 = System.nanoTime();
        assertThat(call("GET").statusCode()).isEqualTo(504);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
    }

    @Test
    void shouldRetryAReadTimeoutOnAnotherNodeWithDefaultRetries() throws Exception {
        EchoBackend slow = backend();
        EchoBackend ok = backend();
        slow.fault(Fault.hang());
        // 1 s, not less: the healthy node must answer within the same read timeout, also on a loaded machine
        start(upstream(List.of(slow, ok), 1, OptionalInt.empty(), Duration.ZERO));
        for (int i = 0; i < 4; i++) {
            assertThat(call("GET").statusCode()).isEqualTo(200);
        }
        // weights 1:1 alternate, so two of the four requests hit the slow node first and were retried
        assertThat(slow.requestCount()).isEqualTo(2);
        assertThat(ok.requestCount()).isEqualTo(4);
    }

    @Test
    void shouldTryRetriesPlusOneNodesThenAnswer502AfterErrors() throws Exception {
        List<EchoBackend> nodes = List.of(backend(), backend(), backend(), backend());
        nodes.forEach(b -> b.fault(Fault.reset()));
        start(upstream(nodes, 1, OptionalInt.of(2), Duration.ZERO));
        assertThat(call("GET").statusCode()).isEqualTo(502);
        assertThat(nodes.stream().mapToLong(EchoBackend::requestCount).sum()).isEqualTo(3);
        assertThat(nodes.stream().filter(b -> b.requestCount() > 1)).isEmpty();
    }

    @Test
    void shouldTryEveryNodeOnceWhenRetriesIsAbsent() throws Exception {
        List<EchoBackend> nodes = List.of(backend(), backend(), backend());
        nodes.forEach(b -> b.fault(Fault.reset()));
        start(upstream(nodes, 1, OptionalInt.empty(), Duration.ZERO));
        assertThat(call("GET").statusCode()).isEqualTo(502);
        assertThat(nodes).allSatisfy(b -> assertThat(b.requestCount()).isEqualTo(1));
    }

    @Test
    void shouldRetryAConnectionRefusedOnAnotherNodeEvenForPost() throws Exception {
        EchoBackend closed = backend();
        int deadPort = closed.port();
        closed.close();
        backends.remove(closed);
        EchoBackend ok = backend();
        start(new EmulatorUpstream(
                List.of(
                        new EmulatorUpstream.Node("127.0.0.1", deadPort, 1),
                        new EmulatorUpstream.Node("127.0.0.1", ok.port(), 1)),
                EmulatorUpstream.Timeout.DEFAULT));
        for (int i = 0; i < 4; i++) {
            assertThat(call("POST").statusCode()).isEqualTo(200);
        }
        assertThat(ok.requestCount()).isEqualTo(4);
    }

    @Test
    void shouldNotResendAPostThatTimedOutAfterItWasSent() throws Exception {
        EchoBackend slow = backend();
        EchoBackend ok = backend();
        slow.fault(Fault.hang());
        start(upstream(List.of(slow, ok), 1, OptionalInt.empty(), Duration.ZERO));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            statuses.add(call("POST").statusCode());
        }
        assertThat(statuses).containsExactlyInAnyOrder(504, 200);
        assertThat(slow.requestCount() + ok.requestCount()).isEqualTo(2);
    }

    @Test
    void shouldPassAnUpstream500ThroughWithoutRetrying() throws Exception {
        EchoBackend failing = backend();
        EchoBackend ok = backend();
        failing.fault(Fault.status(500));
        start(upstream(List.of(failing, ok), 1, OptionalInt.empty(), Duration.ZERO));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            statuses.add(call("GET").statusCode());
        }
        assertThat(statuses).containsExactlyInAnyOrder(500, 200);
        assertThat(failing.requestCount()).isEqualTo(1);
    }

    @Test
    void shouldStopRetryingOnceRetryTimeoutHasPassed() throws Exception {
        List<EchoBackend> nodes = List.of(backend(), backend(), backend(), backend());
        nodes.forEach(b -> b.fault(Fault.hang()));
        // each try times out after 0.3 s; retry_timeout 0.5 s allows a second try but not a third
        start(upstream(nodes, 0.3, OptionalInt.of(3), Duration.ofMillis(500)));
        assertThat(call("GET").statusCode()).isEqualTo(504);
        assertThat(nodes.stream().mapToLong(EchoBackend::requestCount).sum()).isEqualTo(2);
    }
}
