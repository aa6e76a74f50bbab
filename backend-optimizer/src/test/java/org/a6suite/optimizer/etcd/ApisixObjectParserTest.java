package org.a6suite.optimizer.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import org.a6suite.optimizer.model.RouteInfo;
import org.a6suite.optimizer.model.Timeouts;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.junit.jupiter.api.Test;

class ApisixObjectParserTest {

    @Test
    void shouldReadNodesAsArrayOrMapAndTimeout() {
        UpstreamConfig array = ApisixObjectParser.upstream(
                        UpstreamRef.parse("upstreams/1"),
                        7,
                        ApisixObjectParser.tree("""
                        {"type":"roundrobin","nodes":[{"host":"10.0.0.1","port":8080,"weight":5,"priority":1}],
                         "timeout":{"connect":1,"send":2,"read":3.5}}""").orElseThrow())
                .orElseThrow();
        assertThat(array.nodesAsMap()).isFalse();
        assertThat(array.weights()).containsEntry("10.0.0.1:8080", 5);
        assertThat(array.nodes().getFirst().priority()).isEqualTo(1);
        assertThat(array.timeout()).contains(new Timeouts(1, 2, 3.5));
        assertThat(array.modRevision()).isEqualTo(7);

        UpstreamConfig map = ApisixObjectParser.upstream(
                        UpstreamRef.parse("upstreams/2"),
                        8,
                        ApisixObjectParser.tree("{\"nodes\":{\"a.example:80\":1,\"[::1]:81\":2}}")
                                .orElseThrow())
                .orElseThrow();
        assertThat(map.nodesAsMap()).isTrue();
        assertThat(map.weights())
                .containsExactly(java.util.Map.entry("a.example:80", 1), java.util.Map.entry("[::1]:81", 2));
        assertThat(map.timeout()).isEmpty();
    }

    @Test
    void shouldSkipInitDirAndReadRoutes() {
        assertThat(ApisixObjectParser.tree("init_dir")).isEmpty();
        var route = ApisixObjectParser.tree("""
                {"uri":"/a","upstream":{"nodes":{"127.0.0.1:1980":1}},"timeout":{"connect":1,"send":1,"read":1}}""").orElseThrow();
        UpstreamRef ref = UpstreamRef.parse("routes/3");
        assertThat(ApisixObjectParser.upstream(ref, 1, route)).isPresent();
        RouteInfo info = ApisixObjectParser.route(ref, route);
        assertThat(info.timeout()).contains(new Timeouts(1, 1, 1));
        RouteInfo byId = ApisixObjectParser.route(
                UpstreamRef.parse("routes/4"),
                ApisixObjectParser.tree("{\"uri\":\"/b\",\"upstream_id\":1}").orElseThrow());
        assertThat(byId.upstreamId()).contains("1");
    }
}
