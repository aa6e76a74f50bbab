package org.a6suite.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.a6suite.emulator.internal.Engine.ResolvedRoute;
import org.junit.jupiter.api.Test;

/**
 * The mapping of APISIX route, upstream and service JSON into resolved routes, on key tables built in memory (the
 * reading and watching of etcd is {@link EtcdRouteSourceTest}'s, against a real etcd).
 */
class RouteResolverTest {

    private final RouteResolver resolver = new RouteResolver("/apisix");
    private final Map<String, RouteResolver.Entry> kvs = new TreeMap<>();

    private void put(String key, String value, long modRevision) {
        kvs.put("/apisix" + key, new RouteResolver.Entry(value, modRevision));
    }

    private ResolvedRoute only() {
        List<ResolvedRoute> routes = resolver.resolveAll(kvs);
        assertThat(routes).hasSize(1);
        return routes.getFirst();
    }

    @Test
    void shouldSkipInitDirPlaceholdersAndDirectoryKeys() {
        put("/routes/", "init_dir", 1);
        put("/routes/1", "\"init_dir\"", 2);
        put("/routes/a/b", "{\"uri\":\"/x\"}", 3);
        put("/upstreams/", "init_dir", 4);

        assertThat(resolver.resolveAll(kvs)).isEmpty();
    }

    @Test
    void shouldKeyAnInlineUpstreamByTheRouteAndItsModRevision() {
        put("/routes/1", "{\"uri\":\"/r1/*\",\"upstream\":{\"nodes\":{\"127.0.0.1:8080\":3}}}", 7);

        ResolvedRoute r = only();
        assertThat(r.confType()).isEqualTo("route");
        assertThat(r.confId()).isEqualTo("1");
        assertThat(r.confVersion()).isEqualTo("7");
        assertThat(r.balancerKey()).isEqualTo("routes/1#7");
        assertThat(r.healthName()).isEqualTo("/apisix/routes/1");
        assertThat(r.route().upstream().nodes()).containsExactly(new EmulatorUpstream.Node("127.0.0.1", 8080, 3));
    }

    @Test
    void shouldResolveANumericUpstreamIdToTheUpstreamObject() {
        put("/upstreams/5", "{\"nodes\":{\"127.0.0.1:9000\":1}}", 3);
        put("/routes/1", "{\"uri\":\"/r1/*\",\"upstream_id\":5}", 4);

        ResolvedRoute r = only();
        assertThat(r.balancerKey()).isEqualTo("upstreams/5#3");
        assertThat(r.healthName()).isEqualTo("/apisix/upstreams/5");
        assertThat(r.route().upstream().nodes())
                .extracting(EmulatorUpstream.Node::port)
                .containsExactly(9000);
    }

    @Test
    void shouldLeaveARouteWithoutNodesWhenItsUpstreamIdIsMissing() {
        put("/routes/2", "{\"uri\":\"/r2/*\",\"upstream_id\":\"missing\"}", 4);

        ResolvedRoute r = only();
        assertThat(r.route().upstream().nodes()).isEmpty();
        assertThat(r.balancerKey()).isEqualTo("upstreams/missing#0");
    }

    @Test
    void shouldMergeAServiceIntoConfKeysAndTakeItsUpstream() {
        put("/services/s1", "{\"upstream\":{\"nodes\":{\"127.0.0.1:9001\":1}}}", 10);
        put("/routes/1", "{\"uri\":\"/r1/*\",\"service_id\":\"s1\"}", 12);

        ResolvedRoute r = only();
        assertThat(r.confType()).isEqualTo("route&service");
        assertThat(r.confId()).isEqualTo("1&s1");
        assertThat(r.confVersion()).isEqualTo("12&10");
        assertThat(r.balancerKey()).isEqualTo("services/s1#10");
        assertThat(r.healthName()).isEqualTo("/apisix/services/s1");
        assertThat(r.route().serviceId()).contains("s1");
    }

    @Test
    void shouldFollowAServicesUpstreamIdWhenTheRouteHasNoUpstream() {
        put("/upstreams/u", "{\"nodes\":{\"127.0.0.1:9002\":1}}", 2);
        put("/services/s1", "{\"upstream_id\":\"u\"}", 3);
        put("/routes/1", "{\"uri\":\"/r1/*\",\"service_id\":\"s1\"}", 4);

        ResolvedRoute r = only();
        assertThat(r.balancerKey()).isEqualTo("upstreams/u#2");
        assertThat(r.route().upstream().nodes())
                .extracting(EmulatorUpstream.Node::port)
                .containsExactly(9002);
    }

    @Test
    void shouldDropARouteWhoseServiceIsMissing() {
        put("/routes/1", "{\"uri\":\"/r1/*\",\"service_id\":\"gone\",\"upstream\":{\"nodes\":{\"127.0.0.1:1\":1}}}", 4);

        assertThat(resolver.resolveAll(kvs)).isEmpty();
    }

    @Test
    void shouldApplyTheRouteTimeoutOverTheUpstreamTimeout() {
        put("/upstreams/1", "{\"nodes\":{\"127.0.0.1:9000\":1},\"timeout\":{\"connect\":1,\"send\":1,\"read\":1}}", 2);
        put(
                "/routes/1",
                "{\"uri\":\"/r1/*\",\"upstream_id\":\"1\",\"timeout\":{\"connect\":2,\"send\":3,\"read\":0.5}}",
                3);

        assertThat(only().route().upstream().timeout())
                .isEqualTo(new EmulatorUpstream.Timeout(
                        Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofMillis(500)));
    }

    @Test
    void shouldLeaveOutOnlyTheRouteItCannotRun() {
        put(
                "/routes/1",
                "{\"uri\":\"/bad/*\",\"upstream\":{\"nodes\":{\"127.0.0.1:1\":1}},\"plugins\":{\"limit-count\":{}}}",
                2);
        put("/routes/2", "{\"uri\":\"/chash/*\",\"upstream\":{\"type\":\"chash\",\"nodes\":{\"127.0.0.1:1\":1}}}", 3);
        put("/routes/3", "not json", 4);
        put("/routes/4", "{\"uri\":\"/ok/*\",\"upstream\":{\"nodes\":{\"127.0.0.1:1\":1}}}", 5);

        assertThat(resolver.resolveAll(kvs)).extracting(r -> r.route().id()).containsExactly("4");
    }
}
