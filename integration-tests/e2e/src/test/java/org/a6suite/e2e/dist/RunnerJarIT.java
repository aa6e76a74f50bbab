package org.a6suite.e2e.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.testing.ai.AiProviderServer;
import org.a6suite.testing.backend.EchoBackend;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The executable runner jar, started as APISIX's {@code ext-plugin.cmd} starts it
 * ({@code java -jar} with {@code APISIX_LISTEN_ADDRESS} and {@code APISIX_CONF_EXPIRE_TIME} only), serves the suite's
 * own plugins and an official-SDK filter jar dropped into {@code A6_PLUGINS_DIR}, behind the APISIX emulator.
 */
class RunnerJarIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dir;

    private static Process runner;
    private static EchoBackend backend;
    private static AiProviderServer provider;
    private static ApisixEmulator emulator;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path root = repoRoot();
        Path runnerJar = root.resolve("runner/dist/target/a6-runner.jar");
        Path samples =
                root.resolve("integration-tests/sample-sdk-filters/target/a6-sample-sdk-filters-0.1.0-SNAPSHOT.jar");
        assertThat(runnerJar).as("build runner/dist first (the reactor does)").exists();
        assertThat(samples)
                .as("build integration-tests/sample-sdk-filters first (the reactor does)")
                .exists();
        Path pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(samples, pluginsDir.resolve(samples.getFileName()));

        backend = EchoBackend.start();
        provider = AiProviderServer.start();
        Path socket = dir.resolve("runner.sock");
        Path log = dir.resolve("runner.log");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        runnerJar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + socket);
        pb.environment().put("APISIX_CONF_EXPIRE_TIME", "3600");
        pb.environment().put("A6_LANE_ADDRESS", "127.0.0.1:0"); // never collide with a lane on the default port
        pb.environment().put("A6_PLUGINS_DIR", pluginsDir.toString());
        pb.environment().put("DEMO_PROVIDER_KEY", "test-key-not-a-secret");
        runner = pb.start();
        Awaitility.await("runner socket").atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket));

        String upstream = "\"upstream\":{\"type\":\"roundrobin\",\"nodes\":{\"" + backend.hostPort() + "\":1}}";
        String ai = "{\\\"targets\\\":[{\\\"id\\\":\\\"test\\\",\\\"type\\\":\\\"openai\\\",\\\"endpoint\\\":\\\""
                + provider.baseUrl() + "/v1\\\",\\\"model\\\":\\\"gpt-test\\\",\\\"credentials\\\":{\\\"env\\\":"
                + "\\\"DEMO_PROVIDER_KEY\\\"}}]}";
        emulator = ApisixEmulator.builder()
                .runnerSocket(socket)
                .route(EmulatorRoute.fromJson(
                        "1",
                        "{\"uri\":\"/sdk/*\",\"plugins\":{\"ext-plugin-pre-req\":{\"conf\":"
                                + "[{\"name\":\"SampleRewrite\",\"value\":\"v1\"},{\"name\":\"SampleAsync\",\"value\":\"20\"}]},"
                                + "\"ext-plugin-post-resp\":{\"conf\":[{\"name\":\"SamplePost\",\"value\":\"\"}]}},"
                                + upstream + "}"))
                .route(EmulatorRoute.fromJson(
                        "2",
                        "{\"uri\":\"/stop\",\"plugins\":{\"ext-plugin-pre-req\":{\"conf\":"
                                + "[{\"name\":\"SampleStop\",\"value\":\"403\"}]}}," + upstream + "}"))
                .route(EmulatorRoute.fromJson(
                        "3",
                        "{\"uri\":\"/v1/*\",\"plugins\":{\"ext-plugin-pre-req\":{\"conf\":"
                                + "[{\"name\":\"ai-gateway\",\"value\":\"" + ai + "\"}]}}," + upstream + "}"))
                .route(EmulatorRoute.fromJson(
                        "4",
                        "{\"uri\":\"/unknown\",\"plugins\":{\"ext-plugin-pre-req\":{\"conf\":"
                                + "[{\"name\":\"no-such-plugin\",\"value\":\"\"}]}}," + upstream + "}"))
                .build()
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (runner != null) {
            runner.destroy();
            runner.waitFor(5, TimeUnit.SECONDS);
        }
        if (backend != null) {
            backend.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void shouldLogEveryServedPluginAtStartIncludingOfficialSdkFilters() throws IOException {
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Files.readString(dir.resolve("runner.log")))
                        .contains(
                                "ai-gateway",
                                "mcp-gateway",
                                "adaptive-fallback",
                                "SampleRewrite",
                                "SampleStop",
                                "SampleAsync",
                                "SamplePost"));
    }

    @Test
    void shouldRunOfficialSdkPreAndPostFiltersUnchanged() throws Exception {
        HttpResponse<String> response = get("/sdk/items?keep=1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-sample-post")).contains("200");
        JsonNode post = JSON.readTree(response.body());
        // SamplePost upper-cases the upstream body: the echo of what the upstream received after the pre filters.
        String upstreamSaw = post.get("upstream_body").asString();
        assertThat(upstreamSaw)
                .contains("/REWRITTEN/SDK/ITEMS")
                .contains("SAMPLE=REWRITTEN")
                .contains("X-SAMPLE-REWRITE")
                .contains("X-SAMPLE-ASYNC");
    }

    @Test
    void shouldStopWithOfficialSdkFilterReadingBodyAndVars() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(url("/stop"))
                        .POST(HttpRequest.BodyPublishers.ofString("hello body"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("body").asString()).isEqualTo("hello body");
        assertThat(body.get("remote_addr").asString()).isEqualTo("127.0.0.1");
        assertThat(body.get("route_id").asString()).isEqualTo("2");
        assertThat(backend.requests()).noneMatch(r -> r.toString().contains("/stop"));
    }

    @Test
    void shouldServeTheSuitesOwnPluginFromTheSameJar() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(url("/v1/chat/completions"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.at("/choices/0/message/content").asString()).isNotBlank();
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(AiProviderServer.PROMPT_TOKENS);
        assertThat(response.headers().firstValue("x-a6-ai-provider")).isPresent();
    }

    @Test
    void shouldFailClosedOnAnUnknownPluginName() throws Exception {
        HttpResponse<String> response = get("/unknown");

        assertThat(response.statusCode()).isEqualTo(503);
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() ->
                        assertThat(Files.readString(dir.resolve("runner.log"))).contains("no-such-plugin"));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(url(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static URI url(String path) {
        return emulator.baseUri().resolve(path);
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (a directory with mvnw) above "
                    + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
