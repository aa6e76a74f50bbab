package org.a6suite.optimizer.dashboard;

import static org.a6suite.optimizer.dashboard.DegradingNodeScenario.BUSY;
import static org.a6suite.optimizer.dashboard.DegradingNodeScenario.NODES;
import static org.a6suite.optimizer.dashboard.DegradingNodeScenario.SLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.optimizer.testing.Harness;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The dashboard rendered by a real headless browser (Debian chromium) against the running service, fed the story of a
 * node that degrades and is ejected. Also leaves screenshots in {@code target/dashboard/}.
 *
 * <p>With {@code -Da6.dashboard.screenshot=<absolute path>} the story is played longer (a minute of health, then the
 * degradation, three minutes in all, a report every 2 s) and the 1920x1080 screenshot is also written to that path: that is how
 * {@code docs/images/dashboard.png} is made (see {@code docs/optimizer.md}).
 */
class DashboardBrowserTest {

    private static final String SCREENSHOT = System.getProperty("a6.dashboard.screenshot", "");

    @Test
    void shouldOpenOnTheBusiestUpstreamAndExplainTheEjectionInWords() throws Exception {
        Assumptions.assumeTrue(
                HeadlessChromium.available(),
                "skipped: /usr/bin/chromium is not installed (Debian package 'chromium'), the dashboard needs a real"
                        + " browser to be tested");
        writeTooltipProbe();
        try (EtcdServer etcd = EtcdServer.start();
                Client client = etcd.newClient()) {
            DegradingNodeScenario.seed(client);
            boolean forDocs = !SCREENSHOT.isBlank();
            // For the docs, a runner-like pace (a report every 2 s) so that each step of the story is visible.
            Duration story = forDocs ? Duration.ofSeconds(180) : Duration.ofSeconds(12);
            try (Harness app = new Harness(
                            etcd.endpoint(),
                            "a6.optimizer.leader.enabled=false",
                            "a6.optimizer.default-policy.mode=auto",
                            "a6.optimizer.series-limit=2000");
                    DegradingNodeScenario scenario = new DegradingNodeScenario(client, app)
                            .start(forDocs ? 30 : 15, Duration.ofMillis(forDocs ? 2000 : 400))) {
                await().atMost(story.plusSeconds(90))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            var points = app.get("/api/v1/upstreams/" + BUSY + "/series")
                                    .json()
                                    .get("points");
                            long span = points.isEmpty()
                                    ? 0
                                    : points.get(points.size() - 1).get("at_ms").asLong()
                                            - points.get(0).get("at_ms").asLong();
                            return span >= story.toMillis()
                                    && app.get("/api/v1/upstreams/" + BUSY)
                                                    .json()
                                                    .get("weights")
                                                    .get(SLOW)
                                                    .asInt()
                                            == 0;
                        });

                HeadlessChromium.Page page = HeadlessChromium.load(app.base() + "/", 1920, 1080);
                String dom = page.dom();
                Path out = Paths.get("target", "dashboard");
                HeadlessChromium.screenshot(app.base() + "/", 1920, 1080, out.resolve("dashboard-1920x1080.png"));
                HeadlessChromium.screenshot(app.base() + "/", 1280, 800, out.resolve("dashboard-1280x800.png"));
                if (forDocs) {
                    Files.createDirectories(
                            Paths.get(SCREENSHOT).toAbsolutePath().getParent());
                    Files.copy(
                            out.resolve("dashboard-1920x1080.png"),
                            Paths.get(SCREENSHOT),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                Files.writeString(out.resolve("dashboard.html"), dom);

                assertThat(dom).contains("data-ready=\"true\"").doesNotContain("data-error");
                assertThat(attr(dom, "body", "data-upstream"))
                        .as("opens on the busiest upstream")
                        .isEqualTo(BUSY);
                assertThat(dom).contains("<option value=\"routes/2\"", "<option value=\"upstreams/2\"");

                String[] nodes = NODES.toArray(String[]::new);
                assertChart(dom, "fig-latency", "latency (ms)", nodes);
                assertChart(dom, "fig-errors", "error rate (%)", nodes);
                assertThat(legend(dom, "fig-errors")).contains("all nodes");
                assertChart(dom, "fig-weights", "weight", nodes);
                assertChart(dom, "fig-timeouts", "timeout (s, log scale)", "read", "send", "connect");

                assertThat(dom)
                        .as("the ejection, in words")
                        .containsPattern("ejected " + Pattern.quote(SLOW) + ": [^<]*p99 \\d+\\.\\dx peers' median");
                assertThat(dom).as("the timeout change, in words").contains("timeouts: connect 60 -&gt; 0.5 s");
                assertThat(dom)
                        .as("engine numbers are details, not the headline")
                        .doesNotContainPattern("class=\"what\">[^<]*score");
                assertThat(dom).contains("<td class=\"ejected\">ejected</td>");

                String probe = HeadlessChromium.load(app.base() + "/" + TOOLTIP_PROBE, 1920, 1080)
                        .dom();
                String tooltips = attr(probe, "body", "data-tooltips");
                assertThat(tooltips)
                        .as("hover values with units, and the decision at that time in words")
                        .containsPattern(Pattern.quote(SLOW) + " p99: [\\d.,]+ ms")
                        .containsPattern(Pattern.quote(SLOW) + ": [\\d.]+ %")
                        .contains("read: 1 s", "ejected " + SLOW + ": p99 ");

                assertThat(page.console())
                        .as("console messages (errors, warnings, uncaught exceptions)")
                        .isEmpty();
                assertThat(page.urls())
                        .as("every request stays on the service")
                        .isNotEmpty()
                        .allSatisfy(u -> assertThat(u).startsWith(app.base() + "/"))
                        .anySatisfy(u -> assertThat(u).contains("/webjars/chart.js/"));
                assertThat(out.resolve("dashboard-1920x1080.png")).isNotEmptyFile();
            }
        }
    }

    @Test
    void shouldShowTheUpstreamNamedInTheAddressEvenWhenIdle() throws Exception {
        Assumptions.assumeTrue(HeadlessChromium.available(), "skipped: /usr/bin/chromium is not installed");
        try (EtcdServer etcd = EtcdServer.start();
                Client client = etcd.newClient()) {
            DegradingNodeScenario.seed(client);
            try (Harness app = new Harness(etcd.endpoint(), "a6.optimizer.leader.enabled=false");
                    DegradingNodeScenario scenario =
                            new DegradingNodeScenario(client, app).start(100, Duration.ofMillis(300))) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> app.get("/api/v1/upstreams/" + BUSY + "/series")
                                        .json()
                                        .get("points")
                                        .size()
                                >= 3);
                String dom = HeadlessChromium.load(app.base() + "/?upstream=routes/2", 1280, 800)
                        .dom();
                assertThat(dom).contains("data-ready=\"true\"").doesNotContain("data-error");
                assertThat(attr(dom, "body", "data-upstream")).isEqualTo(DegradingNodeScenario.IDLE);
                assertThat(dom).contains("none yet");
            }
        }
    }

    /** A page of the tests only, served beside the dashboard (same origin), that hovers each chart and reports. */
    private static final String TOOLTIP_PROBE = "dashboard-tooltip-probe.html";

    /**
     * Puts the probe on the test class path's {@code static/} before the service starts: it opens the dashboard in a
     * frame, hovers every chart where the ejection was decided through Chart.js's tooltip API, and writes what each tooltip says
     * (title, values, footer) to {@code body[data-tooltips]}. Headless chromium cannot move a mouse, this can.
     */
    private static void writeTooltipProbe() throws java.io.IOException {
        Path dir = Paths.get("target", "test-classes", "static");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(TOOLTIP_PROBE), """
                <!doctype html><html><body>
                <iframe id="f" src="/" width="1920" height="1080"></iframe>
                <script>
                const frame = document.getElementById('f');
                function probe() {
                  const w = frame.contentWindow;
                  if (!w.document.body || w.document.body.dataset.ready !== 'true') return setTimeout(probe, 100);
                  const out = {};
                  for (const id of ['chart-latency', 'chart-errors', 'chart-weights', 'chart-timeouts']) {
                    const chart = w.Chart.getChart(id);
                    const d = chart.$decisions.find(d => d.words.category === 'ejection');
                    const data = chart.data.datasets[0].data;
                    const index = data.findLastIndex(p => p.x <= d.at_ms); // the evaluation that decided
                    const x = chart.scales.x.getPixelForValue(data[index].x);
                    chart.tooltip.setActiveElements(chart.data.datasets.map((_, i) => ({ datasetIndex: i, index })),
                      { x, y: chart.chartArea.top + 10 });
                    chart.update('none');
                    out[id] = { title: chart.tooltip.title, body: chart.tooltip.body.flatMap(b => b.lines),
                      footer: chart.tooltip.footer };
                  }
                  document.body.dataset.tooltips = JSON.stringify(out);
                }
                frame.addEventListener('load', probe);
                </script></body></html>
                """);
    }

    /** A chart drew its legend, its y-axis title with the unit, several time ticks and some points. */
    private static void assertChart(String dom, String figure, String yTitle, String... legend) {
        String fig = tag(dom, "figure", figure);
        assertThat(attrOf(fig, "data-y-title")).as(figure + " y axis").isEqualTo(yTitle);
        assertThat(legend(dom, figure)).as(figure + " legend").contains(legend);
        List<String> ticks = Arrays.asList(attrOf(fig, "data-x-ticks").split("\\|"));
        assertThat(ticks)
                .as(figure + " time ticks")
                .hasSizeGreaterThanOrEqualTo(4)
                .doesNotHaveDuplicates()
                .allSatisfy(t -> assertThat(t).matches("\\d\\d:\\d\\d(:\\d\\d)?"));
        assertThat(Integer.parseInt(attrOf(fig, "data-points")))
                .as(figure + " points")
                .isGreaterThan(10);
        assertThat(Integer.parseInt(attrOf(fig, "data-markers")))
                .as(figure + " decision markers")
                .isPositive();
    }

    private static List<String> legend(String dom, String figure) {
        return Arrays.asList(attrOf(tag(dom, "figure", figure), "data-legend").split("\\|"));
    }

    private static String tag(String dom, String name, String id) {
        Matcher m = Pattern.compile("<" + name + "[^>]*\\bid=\"" + Pattern.quote(id) + "\"[^>]*>")
                .matcher(dom);
        assertThat(m.find()).as("<" + name + " id=" + id + ">").isTrue();
        return m.group();
    }

    private static String attr(String dom, String tagName, String attribute) {
        Matcher m = Pattern.compile("<" + tagName + "\\b[^>]*>").matcher(dom);
        assertThat(m.find()).as("<" + tagName + ">").isTrue();
        return attrOf(m.group(), attribute);
    }

    private static String attrOf(String tag, String attribute) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(attribute) + "=\"([^\"]*)\"")
                .matcher(tag);
        assertThat(m.find()).as(attribute + " in " + tag).isTrue();
        return m.group(1)
                .replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
    }
}
