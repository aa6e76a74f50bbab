package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.a6suite.health.internal.ApisixKeyResolver;
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
        assertThat(mapping).containsExactlyInAnyOrderEntriesOf(Map.of(
                "routes/1", "upstreams/7",
                "routes/3", "upstreams/8",
                "routes/4", "services/s2",
                "routes/5", "upstreams/12",
                "services/s1", "upstreams/8"));
    }
}
