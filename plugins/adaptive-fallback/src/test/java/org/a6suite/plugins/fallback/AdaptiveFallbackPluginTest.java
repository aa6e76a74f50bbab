package org.a6suite.plugins.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugins.fallback.RouteDriver.Req;
import org.a6suite.plugins.fallback.RouteDriver.Result;
import org.a6suite.resilience.BreakerState;
import org.junit.jupiter.api.Test;

class AdaptiveFallbackPluginTest {

    private static final String BREAKER =
            "\"breaker\":{\"window_size\":4,\"minimum_calls\":4,\"failure_rate_threshold\":50,"
                    + "\"wait_in_open_ms\":5000,\"permitted_in_half_open\":2,\"half_open_share\":0.5}";
    private static final String STATIC = "\"static\":{\"status\":200,\"body\":\"{\\\"items\\\":[]}\","
            + "\"headers\":{\"Cache-Control\":\"no-store\"}}";

    private static RouteDriver driver(String extra) {
        return new RouteDriver("{" + BREAKER + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    private static void failTimes(RouteDriver route, Req req, int n) {
        for (int i = 0; i < n; i++) {
            route.call(req, 503, "{\"error\":\"down\"}");
        }
    }

    @Test
    void shouldOpenCircuitAfterFailuresAndAnswerFromCacheWithAge() {
        RouteDriver route = driver("\"replace_failures\":false");
        Result good = route.call(RouteDriver.get("/items"), 200, "{\"items\":[1,2]}");
        assertThat(good.reachedUpstream()).isTrue();

        route.ticker.advance(Duration.ofSeconds(3));
        failTimes(route, RouteDriver.get("/other"), 4);
        assertThat(route.state().breakerState()).isEqualTo(BreakerState.OPEN);

        route.ticker.advance(Duration.ofSeconds(2));
        Result fallback = route.call(RouteDriver.get("/items"), 200, "never reached");
        assertThat(fallback.reachedUpstream()).isFalse();
        assertThat(fallback.status()).isEqualTo(200);
        assertThat(fallback.body().asUtf8()).isEqualTo("{\"items\":[1,2]}");
        assertThat(fallback.header("X-A6-Fallback")).contains("cache");
        assertThat(fallback.header("Age")).contains("5");
        assertThat(fallback.header("content-type")).contains("application/json");
    }

    @Test
    void shouldAnswerStaticWhenNothingIsCached() {
        RouteDriver route = driver(STATIC);
        failTimes(route, RouteDriver.get("/a"), 4);

        Result fallback = route.call(RouteDriver.get("/never-cached"), 200, "x");
        assertThat(fallback.reachedUpstream()).isFalse();
        assertThat(fallback.status()).isEqualTo(200);
        assertThat(fallback.header("X-A6-Fallback")).contains("static");
        assertThat(fallback.header("content-type")).contains("application/json");
        assertThat(fallback.header("Cache-Control")).contains("no-store");
        assertThat(fallback.body().asUtf8()).isEqualTo("{\"items\":[]}");
    }

    @Test
    void shouldLetRequestsThroughWhileOpenWhenNoFallbackExists() {
        RouteDriver route = driver("");
        failTimes(route, RouteDriver.get("/a"), 4);
        assertThat(route.state().breakerState()).isEqualTo(BreakerState.OPEN);

        assertThat(route.call(RouteDriver.get("/a"), 200, "ok").reachedUpstream())
                .isTrue();
        // an untracked request holds no permission: the breaker stays open
        assertThat(route.state().breakerState()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void shouldLetOnlyTheConfiguredShareProbeWhileHalfOpenAndCloseOnRecovery() {
        RouteDriver route = driver(STATIC);
        failTimes(route, RouteDriver.get("/a"), 4);
        route.ticker.advance(Duration.ofMillis(5001));

        int reached = 0;
        for (int i = 0; i < 4; i++) {
            // share 0.5: every other request probes; hang them so the permissions stay taken
            if (route.callHanging(RouteDriver.get("/a"))) {
                reached++;
            }
        }
        assertThat(reached).isEqualTo(2);
        assertThat(route.state().breakerState()).isEqualTo(BreakerState.HALF_OPEN);

        // two probes are allowed, both taken: the next ones get the fallback even if the share allows them
        assertThat(route.call(RouteDriver.get("/a"), 200, "ok").reachedUpstream())
                .isFalse();
        assertThat(route.call(RouteDriver.get("/a"), 200, "ok").reachedUpstream())
                .isFalse();
    }

    @Test
    void shouldCloseAfterSuccessfulProbes() {
        RouteDriver route = driver(STATIC);
        failTimes(route, RouteDriver.get("/a"), 4);
        route.ticker.advance(Duration.ofMillis(5001));

        int probes = 0;
        for (int i = 0; i < 10 && route.state().breakerState() != BreakerState.CLOSED; i++) {
            if (route.call(RouteDriver.get("/a"), 200, "ok").reachedUpstream()) {
                probes++;
            }
        }
        assertThat(route.state().breakerState()).isEqualTo(BreakerState.CLOSED);
        assertThat(probes).isEqualTo(2);
        assertThat(route.call(RouteDriver.get("/a"), 200, "ok").reachedUpstream())
                .isTrue();
    }

    @Test
    void shouldReopenWhenProbesFail() {
        RouteDriver route = driver(STATIC);
        failTimes(route, RouteDriver.get("/a"), 4);
        route.ticker.advance(Duration.ofMillis(5001));
        for (int i = 0; i < 6 && route.state().breakerState() != BreakerState.OPEN; i++) {
            route.call(RouteDriver.get("/a"), 500, "err");
        }
        assertThat(route.state().breakerState()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void shouldNeitherCacheNorServeRequestsCarryingAuthorizationOrCookie() {
        RouteDriver route = driver("");
        route.call(RouteDriver.get("/me").header("authorization", "Bearer alice"), 200, "{\"user\":\"alice\"}");
        route.call(RouteDriver.get("/me").header("cookie", "sid=alice"), 200, "{\"user\":\"alice\"}");
        assertThat(route.state().cacheSize()).isZero();

        route.call(RouteDriver.get("/pub"), 200, "{\"public\":true}");
        failTimes(route, RouteDriver.get("/x"), 4);
        // an anonymous cached response is not served to a credentialed request either
        Result bob = route.call(RouteDriver.get("/pub").header("authorization", "Bearer bob"), 200, "upstream");
        assertThat(bob.reachedUpstream()).isTrue();
        assertThat(bob.header("X-A6-Fallback")).isEmpty();
    }

    @Test
    void shouldKeyCredentialedResponsesPerUserWhenTheKeyNamesTheHeader() {
        RouteDriver route = driver("\"key\":{\"headers\":[\"Authorization\"]},\"replace_failures\":false");
        route.call(RouteDriver.get("/me").header("authorization", "Bearer alice"), 200, "{\"user\":\"alice\"}");
        failTimes(route, RouteDriver.get("/x"), 4);

        Result alice = route.call(RouteDriver.get("/me").header("authorization", "Bearer alice"), 200, "-");
        assertThat(alice.reachedUpstream()).isFalse();
        assertThat(alice.body().asUtf8()).isEqualTo("{\"user\":\"alice\"}");

        Result bob = route.call(RouteDriver.get("/me").header("authorization", "Bearer bob"), 200, "bob-upstream");
        assertThat(bob.reachedUpstream()).isTrue();
        assertThat(bob.body().asUtf8()).isEqualTo("bob-upstream");
    }

    @Test
    void shouldIsolateKeysByMethodPathAndConfiguredArgs() {
        RouteDriver route = driver("\"key\":{\"args\":[\"page\"]},\"replace_failures\":false");
        route.call(RouteDriver.get("/list").arg("page", "1").arg("utm", "a"), 200, "page1");
        route.call(RouteDriver.get("/list").arg("page", "2"), 200, "page2");
        failTimes(route, RouteDriver.get("/x"), 4);

        assertThat(route.call(RouteDriver.get("/list").arg("page", "1").arg("utm", "b"), 200, "-")
                        .body()
                        .asUtf8())
                .isEqualTo("page1");
        assertThat(route.call(RouteDriver.get("/list").arg("page", "2"), 200, "-")
                        .body()
                        .asUtf8())
                .isEqualTo("page2");
        assertThat(route.call(RouteDriver.get("/list"), 200, "-").reachedUpstream())
                .isTrue();
        assertThat(route.call(Req.of(HttpMethod.HEAD, "/list").arg("page", "1"), 200, "")
                        .reachedUpstream())
                .isTrue();
    }

    @Test
    void shouldNotServeEntriesOlderThanMaxAge() {
        RouteDriver route = new RouteDriver("{\"breaker\":{\"window_size\":4,\"minimum_calls\":4,"
                + "\"wait_in_open_ms\":60000},\"cache\":{\"max_age_ms\":10000}," + STATIC + "}");
        route.call(RouteDriver.get("/items"), 200, "fresh");
        failTimes(route, RouteDriver.get("/x"), 4);

        route.ticker.advance(Duration.ofSeconds(9));
        assertThat(route.call(RouteDriver.get("/items"), 200, "-").header("X-A6-Fallback"))
                .contains("cache");
        route.ticker.advance(Duration.ofSeconds(1));
        assertThat(route.call(RouteDriver.get("/items"), 200, "-").header("X-A6-Fallback"))
                .contains("static");
    }

    @Test
    void shouldBoundEntriesAndBodySize() {
        RouteDriver route = driver("\"cache\":{\"max_entries\":2,\"max_body_bytes\":5}");
        route.call(RouteDriver.get("/big"), 200, "123456");
        assertThat(route.state().cacheSize()).isZero();
        for (int i = 0; i < 5; i++) {
            route.call(RouteDriver.get("/p" + i), 200, "ok");
        }
        assertThat(route.state().cacheSize()).isEqualTo(2);
    }

    @Test
    void shouldNotCacheSetCookieOrNoStoreResponsesUnlessConfigured() {
        RouteDriver route = driver("");
        route.call(RouteDriver.get("/a"), 200, Headers.of("Set-Cookie", "sid=1"), "a");
        route.call(RouteDriver.get("/b"), 200, Headers.of("Cache-Control", "private, max-age=60"), "b");
        route.call(RouteDriver.get("/c"), 404, Headers.EMPTY, "c");
        assertThat(route.state().cacheSize()).isZero();

        RouteDriver allowing = driver("\"cache\":{\"cache_set_cookie\":true}");
        allowing.call(RouteDriver.get("/a"), 200, Headers.of("Set-Cookie", "sid=1"), "a");
        assertThat(allowing.state().cacheSize()).isEqualTo(1);
    }

    @Test
    void shouldReplaceFailureResponsesInPostRespWithTheCachedOne() {
        RouteDriver route = driver(STATIC);
        route.call(RouteDriver.get("/items"), 200, Headers.of("Content-Type", "text/csv", "X-Origin", "b1"), "a,b");
        route.ticker.advance(Duration.ofSeconds(2));

        Result replaced = route.call(RouteDriver.get("/items"), 502, "bad gateway");
        assertThat(replaced.reachedUpstream()).isTrue();
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.body().asUtf8()).isEqualTo("a,b");
        assertThat(replaced.header("content-type")).contains("text/csv");
        assertThat(replaced.header("X-Origin")).contains("b1");
        assertThat(replaced.header("X-A6-Fallback")).contains("cache");
        assertThat(replaced.header("Age")).contains("2");

        Result statically = route.call(RouteDriver.get("/unknown"), 500, "oops");
        assertThat(statically.header("X-A6-Fallback")).contains("static");
        assertThat(statically.header("content-type")).contains("application/json");
        assertThat(statically.body().asUtf8()).isEqualTo("{\"items\":[]}");
    }

    @Test
    void shouldOpenWhenTheBackendGoesSilentAndNoPostRespArrives() {
        RouteDriver route = driver("\"unanswered_timeout_ms\":2000," + STATIC);
        route.call(RouteDriver.get("/a"), 200, "ok"); // post-resp seen once
        route.ticker.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 4; i++) {
            assertThat(route.callHanging(RouteDriver.get("/a"))).isTrue();
        }
        route.ticker.advance(Duration.ofSeconds(2));
        Result r = route.call(RouteDriver.get("/a"), 200, "-");
        assertThat(route.state().breakerState()).isEqualTo(BreakerState.OPEN);
        assertThat(r.reachedUpstream()).isFalse();
        assertThat(r.header("X-A6-Fallback")).contains("cache");
    }

    @Test
    void shouldNotCountUnansweredRequestsWhileOtherResponsesKeepArriving() {
        RouteDriver route = driver("\"unanswered_timeout_ms\":2000");
        for (int i = 0; i < 4; i++) {
            route.callHanging(RouteDriver.get("/rejected-by-auth"));
        }
        route.ticker.advance(Duration.ofSeconds(1));
        route.call(RouteDriver.get("/a"), 200, "ok");
        route.ticker.advance(Duration.ofSeconds(2));
        route.call(RouteDriver.get("/a"), 200, "ok");
        assertThat(route.state().breakerState()).isEqualTo(BreakerState.CLOSED);
        assertThat(route.state().pendingCount()).isZero();
    }

    @Test
    void shouldKeepTrackingUnderSustainedTrafficWithoutGrowingState() {
        RouteDriver route = driver("");
        for (int i = 0; i < 150_000; i++) {
            route.call(RouteDriver.get("/a"), 200, "ok");
        }
        assertThat(route.preReq(RouteDriver.get("/a"))).isInstanceOf(org.a6suite.plugin.RequestDecision.Rewrite.class);
        assertThat(route.state().pendingCount()).isEqualTo(1);
    }

    @Test
    void shouldRecordEachOutcomeWithNodeAndLatencyForTheHealthReporter() {
        RouteDriver route = driver("\"upstream_key\":\"upstreams/1\"");
        Req req = RouteDriver.get("/a");
        var decision = route.preReq(req);
        String id = ((org.a6suite.plugin.RequestDecision.Rewrite) decision)
                .headers()
                .get(0)
                .value()
                .orElseThrow();
        route.ticker.advance(Duration.ofMillis(120));
        route.postResp(req, java.util.Optional.of(id), 503, Headers.EMPTY, "down");

        assertThat(route.outcomes).singleElement().satisfies(o -> {
            assertThat(o.upstreamKey()).isEqualTo("upstreams/1");
            assertThat(o.node()).isEqualTo("127.0.0.1:8081");
            assertThat(o.status()).contains(503);
            assertThat(o.latency()).isEqualTo(Duration.ofMillis(120));
            assertThat(o.result()).isEqualTo(OutcomeRecorder.Result.HTTP_5XX);
        });
    }

    @Test
    void shouldShareStateBetweenPreReqAndPostRespOfOneRouteOnly() {
        RouteDriver route = driver("");
        failTimes(route, RouteDriver.get("/a"), 4);
        assertThat(route.plugin.routeState("route#1"))
                .get()
                .extracting(s -> s.breakerState())
                .isEqualTo(BreakerState.OPEN);
        assertThat(route.plugin.routeState("route#2")).isEmpty();
        assertThat(AdaptiveFallbackPlugin.defaultUpstreamKey("route#7")).contains("routes/7");
        assertThat(AdaptiveFallbackPlugin.defaultUpstreamKey("service#3")).contains("services/3");
    }
}
