package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.a6suite.health.internal.IntervalStats;
import org.a6suite.health.internal.NodeKey;
import org.a6suite.health.internal.PrometheusDeltas;
import org.a6suite.health.internal.PrometheusText;
import org.junit.jupiter.api.Test;

class PrometheusParsingTest {

    /** Shaped like APISIX 3.x's exporter output (labels, order, HELP/TYPE lines, other metrics around). */
    private static String scrape(int ok1, int err1, int[] buckets1, int ok2) {
        StringBuilder s = new StringBuilder("""
                # HELP apisix_etcd_modify_indexes Etcd modify index for APISIX keys
                # TYPE apisix_etcd_modify_indexes gauge
                apisix_etcd_modify_indexes{key="routes"} 20
                # HELP apisix_http_status HTTP status codes per service in APISIX
                # TYPE apisix_http_status counter
                """);
        s.append("apisix_http_status{code=\"200\",route=\"1\",matched_uri=\"/items\",matched_host=\"\",service=\"\","
                        + "consumer=\"\",node=\"127.0.0.1\"} ")
                .append(ok1)
                .append('\n');
        s.append("apisix_http_status{code=\"503\",route=\"1\",matched_uri=\"/items\",matched_host=\"\",service=\"\","
                        + "consumer=\"\",node=\"127.0.0.1\"} ")
                .append(err1)
                .append('\n');
        s.append("apisix_http_status{code=\"404\",route=\"\",matched_uri=\"\",matched_host=\"\",service=\"\","
                + "consumer=\"\",node=\"\"} 7\n");
        s.append("apisix_http_status{code=\"200\",route=\"\",matched_uri=\"/s\",matched_host=\"\",service=\"9\","
                        + "consumer=\"\",node=\"10.0.0.2\"} ")
                .append(ok2)
                .append('\n');
        s.append("# HELP apisix_http_latency HTTP request latency in milliseconds per service in APISIX\n");
        s.append("# TYPE apisix_http_latency histogram\n");
        double[] le = {1, 2, 5, 10, 20, 50, 100, 200, 500};
        long cumulative = 0;
        for (int i = 0; i < le.length; i++) {
            cumulative += buckets1[i];
            s.append("apisix_http_latency_bucket{type=\"upstream\",route=\"1\",service=\"\",consumer=\"\","
                            + "node=\"127.0.0.1\",le=\"")
                    .append(String.format("%05.0f", le[i]))
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
        }
        s.append("apisix_http_latency_bucket{type=\"upstream\",route=\"1\",service=\"\",consumer=\"\","
                        + "node=\"127.0.0.1\",le=\"+Inf\"} ")
                .append(cumulative)
                .append('\n');
        s.append("apisix_http_latency_bucket{type=\"request\",route=\"1\",service=\"\",consumer=\"\","
                        + "node=\"127.0.0.1\",le=\"+Inf\"} ")
                .append(cumulative * 10)
                .append('\n');
        s.append("apisix_http_latency_count{type=\"upstream\",route=\"1\",service=\"\",consumer=\"\","
                        + "node=\"127.0.0.1\"} ")
                .append(cumulative)
                .append('\n');
        s.append("apisix_node_info{hostname=\"apisix-1\",version=\"3.18.0\"} 1\n");
        return s.toString();
    }

    @Test
    void shouldParseSamplesWithEscapedLabelsSpecialValuesAndTimestamps() {
        String text = """
                # TYPE m counter
                m{a="x\\"y",b="back\\\\slash",c="line\\nbreak"} 3 1700000000000
                m{} +Inf
                m NaN
                m{broken="x} 1
                other{a="1"} 2
                """;
        PrometheusText.Result r = PrometheusText.parse(text, Set.of("m"));
        assertThat(r.samples()).hasSize(3);
        assertThat(r.samples().get(0).labels())
                .containsEntry("a", "x\"y")
                .containsEntry("b", "back\\slash")
                .containsEntry("c", "line\nbreak");
        assertThat(r.samples().get(0).value()).isEqualTo(3);
        assertThat(r.samples().get(1).value()).isInfinite();
        assertThat(r.samples().get(2).value()).isNaN();
        assertThat(r.malformedLines()).isEqualTo(1);
    }

    @Test
    void shouldTurnTwoScrapesIntoPerNodeIntervalDeltas() {
        PrometheusDeltas deltas = new PrometheusDeltas(k -> k.equals("routes/1") ? "upstreams/1" : k);
        int[] before = {0, 0, 0, 10, 0, 0, 0, 0, 0};
        assertThat(deltas.updateDeltas(parse(scrape(100, 5, before, 50)))).isEmpty(); // baseline

        // this interval: 100 upstream calls, 90 within 5-10 ms, 9 within 50-100 ms, 1 within 200-500 ms
        int[] after = {0, 0, 0, 100, 0, 0, 9, 0, 1};
        Map<NodeKey, IntervalStats> d = deltas.updateDeltas(parse(scrape(190, 15, after, 50)));

        IntervalStats node = d.get(new NodeKey("upstreams/1", "127.0.0.1"));
        assertThat(node.requests()).isEqualTo(100);
        assertThat(node.http5xx()).isEqualTo(10);
        assertThat(node.http4xx()).isZero();
        assertThat(node.latency()).get().satisfies(p -> {
            assertThat(p.p50()).isBetween(5.0, 10.0);
            assertThat(p.p90()).isBetween(5.0, 10.0);
            assertThat(p.p99()).isBetween(50.0, 100.0);
            assertThat(p.p999()).isBetween(200.0, 500.0);
        });
        // unchanged service series and node-less series produce nothing
        assertThat(d).doesNotContainKey(new NodeKey("services/9", "10.0.0.2")).hasSize(1);
    }

    @Test
    void shouldTellAnExporterThatHasNotRefreshedFromOneWithNewCounters() {
        PrometheusDeltas deltas = new PrometheusDeltas(k -> k);
        int[] b = {0, 0, 0, 10, 0, 0, 0, 0, 0};
        assertThat(deltas.update(parse(scrape(100, 5, b, 0)))).isInstanceOf(PrometheusDeltas.Scrape.Baseline.class);
        // APISIX serves its cached text until the next refresh_interval: same counters, no new data
        assertThat(deltas.update(parse(scrape(100, 5, b, 0)))).isInstanceOf(PrometheusDeltas.Scrape.Unchanged.class);
        assertThat(deltas.update(parse(scrape(100, 5, b, 0)))).isInstanceOf(PrometheusDeltas.Scrape.Unchanged.class);
        // the refreshed text carries everything since the baseline
        PrometheusDeltas.Scrape refreshed = deltas.update(parse(scrape(130, 5, b, 0)));
        assertThat(refreshed)
                .isInstanceOfSatisfying(
                        PrometheusDeltas.Scrape.Changed.class,
                        c -> assertThat(c.deltas()
                                        .get(new NodeKey("routes/1", "127.0.0.1"))
                                        .requests())
                                .isEqualTo(30));
    }

    @Test
    void shouldCountFromZeroWhenACounterWentDown() {
        PrometheusDeltas deltas = new PrometheusDeltas(k -> k);
        int[] b = {0, 0, 0, 0, 0, 0, 0, 0, 0};
        deltas.updateDeltas(parse(scrape(1000, 0, b, 0)));
        Map<NodeKey, IntervalStats> d = deltas.updateDeltas(parse(scrape(30, 0, b, 0))); // APISIX restarted
        assertThat(d.get(new NodeKey("routes/1", "127.0.0.1")).requests()).isEqualTo(30);
    }

    private static List<PrometheusText.Sample> parse(String text) {
        return PrometheusText.parse(text, PrometheusDeltas.WANTED).samples();
    }
}
