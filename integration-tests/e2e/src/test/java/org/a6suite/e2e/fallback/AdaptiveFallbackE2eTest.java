package org.a6suite.e2e.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * adaptive-fallback end to end: client -> APISIX emulator -> runner (pre-req + post-resp) -> flaky EchoBackend. The
 * route carries the plugin in both phases with the same value, as docs/plugins/adaptive-fallback.md says. The
 * EchoBackend sets cookies on every answer, so the route opts in to caching Set-Cookie responses.
 */
class AdaptiveFallbackE2eTest {

    private static final String CONFIG = """
            {"breaker":{"window_size":4,"minimum_calls":4,"failure_rate_threshold":50,"wait_in_open_ms":1000,
                        "permitted_in_half_open":1,"half_open_share":1},
             "unanswered_timeout_ms":500,
             "cache":{"cache_set_cookie":true},
             "static":{"status":200,"content_type":"application/json","body":"{\\"items\\":[]}"}}
            """;

    @TempDir
    Path dir;

    private EchoBackend backend;
    private GatewayHarness gateway;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() {
        backend = EchoBackend.start();
        gateway = GatewayHarness.builder(dir)
                .plugin(new AdaptiveFallbackPlugin())
                .route(
                        "1",
                        ApisixRoutes.uri("/items/*")
                                .preReq("adaptive-fallback", CONFIG)
                                .postResp("adaptive-fallback", CONFIG)
                                .upstream(backend.hostPort())
                                .toJson())
                .start();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(path, Duration.ofSeconds(10));
    }

    private HttpResponse<String> get(String path, Duration timeout) throws Exception {
        return http.send(
                HttpRequest.newBuilder(gateway.baseUri().resolve(path))
                        .timeout(timeout)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeCachedAndStaticFallbacksWhileTheBackendFailsAndRecoverByItself() throws Exception {
        HttpResponse<String> good = get("/items/a");
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(good.headers().firstValue("X-A6-Fallback")).isEmpty();
        String goodBody = good.body();

        backend.fault(Fault.status(503));
        // post-resp replaces the 503 with the cached answer while the breaker counts the failures
        HttpResponse<String> replaced = get("/items/a");
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(replaced.headers().firstValue("X-A6-Fallback")).contains("cache");
        assertThat(replaced.body()).isEqualTo(goodBody);
        get("/items/a");
        get("/items/a");

        // open: answered in pre-req, the backend is not called
        long before = backend.requestCount();
        HttpResponse<String> fromCache = get("/items/a");
        assertThat(fromCache.headers().firstValue("X-A6-Fallback")).contains("cache");
        assertThat(fromCache.headers().firstValue("Age")).isPresent();
        assertThat(fromCache.body()).isEqualTo(goodBody);
        HttpResponse<String> fromStatic = get("/items/never-seen");
        assertThat(fromStatic.statusCode()).isEqualTo(200);
        assertThat(fromStatic.headers().firstValue("X-A6-Fallback")).contains("static");
        assertThat(fromStatic.headers().firstValue("content-type")).contains("application/json");
        assertThat(fromStatic.body()).isEqualTo("{\"items\":[]}");
        assertThat(backend.requestCount()).isEqualTo(before);

        // the backend recovers: after the open wait a probe goes through and closes the circuit
        backend.fault(Fault.NONE);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() ->
                        get("/items/b").headers().firstValue("X-A6-Fallback").isEmpty());
        assertThat(get("/items/never-seen").body()).isNotEqualTo("{\"items\":[]}");
    }

    @Test
    void shouldAnswerWithinMillisecondsOnceAHangingBackendIsDetected() throws Exception {
        assertThat(get("/items/a").statusCode()).isEqualTo(200);
        backend.fault(Fault.hang());
        HttpClient patient = HttpClient.newBuilder().build();
        List<CompletableFuture<HttpResponse<String>>> hanging = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            hanging.add(patient.sendAsync(
                    HttpRequest.newBuilder(gateway.baseUri().resolve("/items/h" + i))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.requestCount() >= 5);

        // after unanswered_timeout_ms with no response on the route, the next request finds the circuit open
        // A poll that a slow machine lets through before the sweep opened the circuit hangs like the others: it is
        // given up after 2 s and the next poll asks again.
        HttpResponse<String> answered = await().atMost(Duration.ofSeconds(15))
                .pollDelay(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(100))
                .ignoreException(java.net.http.HttpTimeoutException.class)
                .until(
                        () -> get("/items/a", Duration.ofSeconds(2)),
                        r -> r.headers().firstValue("X-A6-Fallback").isPresent());
        assertThat(answered.headers().firstValue("X-A6-Fallback")).contains("cache");

        long start = System.nanoTime();
        HttpResponse<String> fast = get("/items/a");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(fast.headers().firstValue("X-A6-Fallback")).contains("cache");
        assertThat(took).isLessThan(Duration.ofMillis(500));
        hanging.forEach(f -> f.cancel(true));
    }
}
