package org.a6suite.optimizer.dashboard;

import static org.a6suite.optimizer.etcd.Etcd.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.a6suite.optimizer.testing.Harness;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The dashboard rendered by a real headless browser (Debian chromium) against the running service. */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");

    @Test
    void shouldRenderChartsWithDecisionMarkersInHeadlessChromium() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "skipped: /usr/bin/chromium is not installed (Debian package 'chromium'), the dashboard needs a real"
                        + " browser to be tested");
        try (EtcdServer etcd = EtcdServer.start(); Client client = etcd.newClient()) {
            client.getKVClient().put(bytes("/apisix/upstreams/1"), bytes("{\"nodes\":{\"10.0.0.1:80\":10,"
                    + "\"10.0.0.2:80\":10,\"10.0.0.3:80\":10,\"10.0.0.4:80\":10}}")).get(5, TimeUnit.SECONDS);
            try (Harness app = new Harness(etcd.endpoint(), "a6.optimizer.leader.enabled=false")) {
                Map<String, double[]> nodes = new LinkedHashMap<>();
                nodes.put("10.0.0.1:80", new double[] {100, 0, 10, 40});
                nodes.put("10.0.0.2:80", new double[] {100, 0, 12, 45});
                nodes.put("10.0.0.3:80", new double[] {100, 1, 11, 42});
                nodes.put("10.0.0.4:80", new double[] {100, 6, 300, 420});
                Harness.publishHealth(client, "apisix-1", nodes);
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        app.get("/api/v1/upstreams").json().get(0).get("status").asString().equals("change"));
                assertThat(app.post("/api/v1/upstreams/upstreams/1/apply", "", Harness.key()).status())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    var s = app.get("/api/v1/upstreams/upstreams/1/series").json();
                    return s.get("points").size() >= 3 && s.get("decisions").size() == 1;
                });

                String dom = dumpDom(app.base() + "/?upstream=upstreams/1");
                assertThat(dom).contains("data-ready=\"true\"").doesNotContain("data-error");
                assertThat(dom).contains("<tr data-upstream=\"upstreams/1\"");
                for (String chart : List.of("chart-latency", "chart-errors", "chart-timeouts", "chart-weights")) {
                    String svg = dom.substring(dom.indexOf("id=\"" + chart + "\""));
                    svg = svg.substring(0, svg.indexOf("</svg>"));
                    assertThat(svg).as(chart).contains("<polyline").contains("class=\"decision apply\"");
                }
                assertThat(dom).contains("data-series=\"p99\"", "data-series=\"10.0.0.4:80\"");
                assertThat(dom).contains("10.0.0.4:80 weight 10 -&gt; 7");
            }
        }
    }

    private static String dumpDom(String url) throws Exception {
        Path profile = Files.createTempDirectory("a6-chromium-");
        try {
            Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=8000", "--dump-dom", url)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("chromium did not finish within 60 s");
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                p.destroyForcibly();
            }
        } finally {
            try (Stream<Path> walk = Files.walk(profile)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
