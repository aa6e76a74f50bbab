package org.a6suite.plugins.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.UpstreamHealth;
import org.a6suite.plugin.UpstreamHealth.NodeHealth;
import org.a6suite.plugins.fallback.RouteDriver.Result;
import org.junit.jupiter.api.Test;

/** The health reporter's snapshot of the route's upstream opens the fallback path while the breaker is closed. */
class HealthGateTest {

    private static final String CONFIG = "{\"upstream_key\":\"upstreams/1\",\"static\":{\"status\":200,"
            + "\"content_type\":\"application/json\",\"body\":\"{\\\"items\\\":[]}\"}}";

    private static UpstreamHealth upstream(Instant at, NodeHealth... nodes) {
        Map<String, NodeHealth> map = new java.util.HashMap<>();
        for (int i = 0; i < nodes.length; i++) {
            map.put("10.0.0." + (i + 1) + ":80", nodes[i]);
        }
        return new UpstreamHealth("upstreams/1", at, map);
    }

    private static NodeHealth failing() {
        return new NodeHealth(40, 30, Optional.empty());
    }

    private static NodeHealth healthy() {
        return new NodeHealth(40, 0, Optional.of("healthy"));
    }

    @Test
    void shouldAnswerFromCacheWhenTheReporterSeesEveryNodeFailingWhileTheBreakerIsClosed() {
        RouteDriver route = new RouteDriver(CONFIG);
        route.call(RouteDriver.get("/items"), 200, "fresh");
        route.health = key -> key.equals("upstreams/1")
                ? Optional.of(upstream(Instant.now(), failing(), failing()))
                : Optional.empty();

        Result answer = route.call(RouteDriver.get("/items"), 200, "never reached");

        assertThat(answer.reachedUpstream()).isFalse();
        assertThat(answer.header("X-A6-Fallback")).contains("cache");
        assertThat(answer.body().asUtf8()).isEqualTo("fresh");
        Result unseen = route.call(RouteDriver.get("/other"), 200, "never reached");
        assertThat(unseen.header("X-A6-Fallback")).contains("static");
    }

    @Test
    void shouldLetRequestsThroughWhileAnyNodeIsHealthy() {
        RouteDriver route = new RouteDriver(CONFIG);
        route.health = key -> Optional.of(upstream(Instant.now(), failing(), healthy()));
        assertThat(route.call(RouteDriver.get("/items"), 200, "ok").reachedUpstream())
                .isTrue();
    }

    @Test
    void shouldTreatApisixUnhealthyStatusAsFailingWhateverTheCounts() {
        RouteDriver route = new RouteDriver(CONFIG);
        route.health = key -> Optional.of(upstream(Instant.now(), new NodeHealth(0, 0, Optional.of("unhealthy"))));
        assertThat(route.call(RouteDriver.get("/items"), 200, "x").header("X-A6-Fallback"))
                .contains("static");
    }

    @Test
    void shouldIgnoreStaleSnapshotsAndTooFewRequests() {
        RouteDriver stale = new RouteDriver(CONFIG);
        stale.health = key -> Optional.of(upstream(Instant.now().minusSeconds(120), failing()));
        assertThat(stale.call(RouteDriver.get("/items"), 200, "ok").reachedUpstream())
                .isTrue();

        RouteDriver quiet = new RouteDriver(CONFIG);
        quiet.health = key -> Optional.of(upstream(Instant.now(), new NodeHealth(3, 3, Optional.empty())));
        assertThat(quiet.call(RouteDriver.get("/items"), 200, "ok").reachedUpstream())
                .as("3 requests are below min_requests 10")
                .isTrue();
    }

    @Test
    void shouldBeSwitchedOffByConfig() {
        RouteDriver route = new RouteDriver(
                CONFIG.replace("{\"upstream_key\"", "{\"health\":{\"enabled\":false}," + "\"upstream_key\""));
        route.health = key -> Optional.of(upstream(Instant.now(), failing()));
        assertThat(route.call(RouteDriver.get("/items"), 200, "ok").reachedUpstream())
                .isTrue();
    }

    @Test
    void shouldNameTheFieldOfABadHealthSetting() {
        var plugin = new AdaptiveFallbackPlugin();
        assertThatThrownBy(() -> plugin.parseConfig("{\"health\":{\"error_rate\":1.5}}"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("health.error_rate: 1.5 (expected: a number in (0, 1])");
        assertThatThrownBy(() -> plugin.parseConfig("{\"health\":{\"colour\":1}}"))
                .hasMessageStartingWith("health.colour: unknown field");
    }
}
