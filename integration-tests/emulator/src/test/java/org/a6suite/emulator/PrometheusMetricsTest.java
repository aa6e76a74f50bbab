package org.a6suite.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-node metrics in the format of APISIX's prometheus plugin ({@code apisix/plugins/prometheus/exporter.lua}):
 * {@code apisix_http_status{code,route,matched_uri,matched_host,service,consumer,node}} and
 * {@code apisix_http_latency{type,route,service,consumer,node}} in milliseconds with {@code DEFAULT_BUCKETS}
 * (1 ... 60000), {@code node} = {@code ctx.balancer_ip} (IP without port), served at
 * {@code GET /apisix/prometheus/metrics} on the export port.
 */
class PrometheusMetricsTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)\\{(.*)} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

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

    record Sample(String name, Map<String, String> labels, double value) {}

    /** Parses the exposition text strictly: every line is a comment or a well-formed sample. */
    static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            if (line.matches("^[a-z_]+ \\S+$")) {
                String[] p = line.split(" ");
                out.add(new Sample(p[0], Map.of(), Double.parseDouble(p[1])));
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("sample line: %s", line).isTrue();
            Map<String, String> labels = new LinkedHashMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return out;
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldCountStatusAndLatencyPerNodeIpOnTheExportServer() throws Exception {
        EchoBackend a = EchoBackend.start("127.0.0.1", 0);
        EchoBackend b = EchoBackend.start("127.0.0.2", 0);
        backends.add(a);
        backends.add(b);
        b.fault(Fault.degraded(Duration.ofMillis(60), 1.0, 7)); // every answer 500 after 60 ms
        EmulatorUpstream upstream = new EmulatorUpstream(
                List.of(
                        new EmulatorUpstream.Node(a.host(), a.port(), 3),
                        new EmulatorUpstream.Node(b.host(), b.port(), 1)),
                EmulatorUpstream.Timeout.DEFAULT);
        emulator = ApisixEmulator.builder()
                .runnerSocket(dir.resolve("unused.sock"))
                .metricsPort(0)
                .route(EmulatorRoute.builder("r1")
                        .uri("/m/*")
                        .serviceId("s9")
                        .upstream(upstream)
                        .build())
                .build()
                .start();
        for (int i = 0; i < 8; i++) {
            get(URI.create(emulator.baseUri() + "/m/x"));
        }
        get(URI.create(emulator.baseUri() + "/nowhere"));

        HttpResponse<String> metrics = get(emulator.metricsUri().orElseThrow());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).contains("text/plain");
        assertThat(emulator.metricsUri().orElseThrow().getPath()).isEqualTo("/apisix/prometheus/metrics");
        List<Sample> samples = parse(metrics.body());

        assertThat(samples)
                .contains(
                        new Sample(
                                "apisix_http_status",
                                ordered(
                                        "code",
                                        "200",
                                        "route",
                                        "r1",
                                        "matched_uri",
                                        "/m/*",
                                        "matched_host",
                                        "",
                                        "service",
                                        "s9",
                                        "consumer",
                                        "",
                                        "node",
                                        "127.0.0.1"),
                                6),
                        new Sample(
                                "apisix_http_status",
                                ordered(
                                        "code",
                                        "500",
                                        "route",
                                        "r1",
                                        "matched_uri",
                                        "/m/*",
                                        "matched_host",
                                        "",
                                        "service",
                                        "s9",
                                        "consumer",
                                        "",
                                        "node",
                                        "127.0.0.2"),
                                2),
                        new Sample("apisix_http_requests_total", Map.of(), 9));

        Map<String, String> upstreamB =
                ordered("type", "upstream", "route", "r1", "service", "s9", "consumer", "", "node", "127.0.0.2");
        List<Sample> bucketsB = samples.stream()
                .filter(s -> s.name().equals("apisix_http_latency_bucket")
                        && s.labels().entrySet().containsAll(upstreamB.entrySet()))
                .toList();
        assertThat(bucketsB)
                .extracting(s -> s.labels().get("le"))
                .containsExactly(
                        "1", "2", "5", "10", "20", "50", "100", "200", "500", "1000", "2000", "5000", "10000", "30000",
                        "60000", "+Inf");
        // 60 ms of extra delay puts both observations above the 50 ms bucket
        assertThat(bucketsB.get(5).value()).isZero();
        assertThat(bucketsB.get(bucketsB.size() - 1).value()).isEqualTo(2);
        assertThat(samples).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("apisix_http_latency_count");
            assertThat(s.labels()).isEqualTo(upstreamB);
            assertThat(s.value()).isEqualTo(2);
        });
        assertThat(samples).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("apisix_http_latency_sum");
            assertThat(s.labels()).isEqualTo(upstreamB);
            assertThat(s.value()).isGreaterThanOrEqualTo(120);
        });
        for (String type : List.of("request", "apisix")) {
            assertThat(samples).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("apisix_http_latency_count");
                assertThat(s.labels()).containsEntry("type", type).containsEntry("node", "127.0.0.1");
                assertThat(s.value()).isEqualTo(6);
            });
        }
        assertThat(get(URI.create("http://127.0.0.1:" + emulator.metricsPort().getAsInt() + "/other"))
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void shouldLabelTheLastTriedNodeAndItsTimeAfterARetry() throws Exception {
        EchoBackend slow = EchoBackend.start("127.0.0.3", 0);
        EchoBackend ok = EchoBackend.start("127.0.0.4", 0);
        backends.add(slow);
        backends.add(ok);
        slow.fault(Fault.hang());
        EmulatorUpstream upstream = new EmulatorUpstream(
                List.of(
                        new EmulatorUpstream.Node(slow.host(), slow.port(), 1),
                        new EmulatorUpstream.Node(ok.host(), ok.port(), 1)),
                new EmulatorUpstream.Timeout(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(1000))); // the healthy node answers within it, even loaded
        emulator = ApisixEmulator.builder()
                .runnerSocket(dir.resolve("unused.sock"))
                .route(EmulatorRoute.builder("r2")
                        .uri("/m/*")
                        .upstream(upstream)
                        .build())
                .build()
                .start();
        assertThat(get(URI.create(emulator.baseUri() + "/m/x")).statusCode()).isEqualTo(200);
        List<Sample> samples = parse(emulator.metricsText());
        assertThat(samples)
                .filteredOn(s -> s.name().equals("apisix_http_status"))
                .extracting(s -> s.labels().get("node"), s -> s.labels().get("code"), Sample::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.4", "200", 1.0));
        double requestMs = samples.stream()
                .filter(s -> s.name().equals("apisix_http_latency_sum")
                        && s.labels().get("type").equals("request"))
                .findFirst()
                .orElseThrow()
                .value();
        double upstreamMs = samples.stream()
                .filter(s -> s.name().equals("apisix_http_latency_sum")
                        && s.labels().get("type").equals("upstream"))
                .findFirst()
                .orElseThrow()
                .value();
        assertThat(requestMs).isGreaterThanOrEqualTo(1000);
        assertThat(upstreamMs).isLessThan(requestMs - 750);
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
