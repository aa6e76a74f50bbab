package org.a6suite.optimizer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterSnapshotTest {

    private static final Optional<Timeouts> T = Optional.of(new Timeouts(1, 2, 3));

    private static UpstreamConfig upstream(String key) {
        return new UpstreamConfig(
                UpstreamRef.parse(key), 1, List.of(new UpstreamNode("10.0.0.1", 80, 1, 0)), Optional.empty(), true);
    }

    private static RouteInfo route(String key, String upstreamId, String serviceId, Optional<Timeouts> timeout) {
        return new RouteInfo(
                UpstreamRef.parse(key), Optional.ofNullable(upstreamId), Optional.ofNullable(serviceId), timeout);
    }

    @Test
    void shouldFindRoutesWhoseTimeoutOverridesAnUpstreamDirectlyThroughServicesOrInline() {
        ClusterSnapshot s = new ClusterSnapshot(
                Map.of(
                        UpstreamRef.parse("upstreams/1"),
                        upstream("upstreams/1"),
                        UpstreamRef.parse("routes/9"),
                        upstream("routes/9"),
                        UpstreamRef.parse("services/5"),
                        upstream("services/5")),
                Map.of(
                        UpstreamRef.parse("routes/1"),
                        route("routes/1", "1", null, T),
                        UpstreamRef.parse("routes/2"),
                        route("routes/2", null, "4", T),
                        UpstreamRef.parse("services/4"),
                        route("services/4", "1", null, Optional.empty()),
                        UpstreamRef.parse("routes/3"),
                        route("routes/3", "1", null, Optional.empty()),
                        UpstreamRef.parse("routes/9"),
                        route("routes/9", null, null, T),
                        UpstreamRef.parse("routes/6"),
                        route("routes/6", null, "5", T)),
                Map.of());
        assertThat(s.routesOverridingTimeout(UpstreamRef.parse("upstreams/1")))
                .extracting(r -> r.ref().key())
                .containsExactly("routes/1", "routes/2");
        assertThat(s.routesOverridingTimeout(UpstreamRef.parse("routes/9")))
                .extracting(r -> r.ref().key())
                .containsExactly("routes/9");
        assertThat(s.routesOverridingTimeout(UpstreamRef.parse("services/5")))
                .extracting(r -> r.ref().key())
                .containsExactly("routes/6");
        assertThat(s.routesOverridingTimeout(UpstreamRef.parse("upstreams/2"))).isEmpty();
    }
}
