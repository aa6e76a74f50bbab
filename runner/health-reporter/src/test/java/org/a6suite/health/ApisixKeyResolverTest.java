package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.a6suite.health.internal.ApisixKeyResolver;
import org.a6suite.health.internal.IntervalStats;
import org.a6suite.health.internal.NodeKey;
import org.a6suite.health.internal.NodeResolver;
import org.junit.jupiter.api.Test;

class ApisixKeyResolverTest {

    @Test
    void shouldReportRoutesUnderTheUpstreamTheyReference() {
        Map<String, String> mapping = ApisixKeyResolver.resolve(Map.of(
                "/apisix/routes/", "init_dir",
                "/apisix/routes/1", "{\"uri\":\"/a\",\"upstream_id\":\"7\"}",
                "/apisix/routes/2", "{\"uri\":\"/b\",\"upstream\":{\"nodes\":{\"127.0.0.1:1\":1}},\"upstream_id\":9}",
                "/apisix/routes/3", "{\"uri\":\"/c\",\"service_id\":\"s1\"}",
                "/apisix/routes/4", "{\"uri\":\"/d\",\"service_id\":\"s2\"}",
                "/apisix/routes/5", "{\"uri\":\"/e\",\"upstream_id\":12}",
                "/apisix/services/s1", "{\"upstream_id\":\"8\"}",
                "/apisix/services/s2", "{\"upstream\":{\"nodes\":{\"127.0.0.1:2\":1}}}",
                "/apisix/routes/6", "not json"));
        assertThat(mapping)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "routes/1", "upstreams/7",
                        "routes/3", "upstreams/8",
                        "routes/4", "services/s2",
                        "routes/5", "upstreams/12",
                        "services/s1", "upstreams/8"));
    }

    @Test
    void shouldListConfiguredNodesOfUpstreamsAndInlineUpstreamsInBothShapes() {
        var nodes = ApisixKeyResolver.configuredNodes(Map.of(
                "/apisix/upstreams/", "init_dir",
                "/apisix/upstreams/1",
                        "{\"nodes\":[{\"host\":\"127.0.0.11\",\"port\":18081,\"weight\":1},"
                                + "{\"host\":\"127.0.0.12\",\"port\":18082,\"weight\":1}]}",
                "/apisix/routes/2", "{\"uri\":\"/b\",\"upstream\":{\"nodes\":{\"10.0.0.1:80\":1}}}",
                "/apisix/services/s", "{\"upstream\":{\"nodes\":{\"10.0.0.2:81\":1}}}",
                "/apisix/routes/3", "{\"uri\":\"/c\",\"upstream_id\":\"1\"}"));
        assertThat(nodes)
                .containsExactlyInAnyOrder(
                        new NodeKey("upstreams/1", "127.0.0.11:18081"), new NodeKey("upstreams/1", "127.0.0.12:18082"),
                        new NodeKey("routes/2", "10.0.0.1:80"), new NodeKey("services/s", "10.0.0.2:81"));
    }

    @Test
    void shouldGiveAPrometheusIpItsPortFromTheConfiguredNodesButNeverGuessBetweenTwo() {
        var stats = new IntervalStats(10, 1, 0, 0, 0, java.util.Optional.empty());
        var resolved = NodeResolver.resolve(
                Map.of(new NodeKey("upstreams/1", "127.0.0.11"), stats, new NodeKey("upstreams/1", "10.0.0.9"), stats),
                List.of(
                        new NodeKey("upstreams/1", "127.0.0.11:18081"),
                        new NodeKey("upstreams/1", "10.0.0.9:80"),
                        new NodeKey("upstreams/1", "10.0.0.9:81")));
        assertThat(resolved)
                .containsOnlyKeys(
                        new NodeKey("upstreams/1", "127.0.0.11:18081"), new NodeKey("upstreams/1", "10.0.0.9"));
    }
}
