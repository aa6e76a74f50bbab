package org.a6suite.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DecisionTest {

    @Test
    void shouldBuildStopWithJsonContentType() {
        var stop = RequestDecision.stop(429).json("{\"error\":\"slow down\"}").build();
        assertThat(stop.status()).isEqualTo(429);
        assertThat(stop.headers().first("content-type")).contains("application/json");
        assertThat(stop.body()).map(Body::asUtf8).contains("{\"error\":\"slow down\"}");
    }

    @Test
    void shouldRejectStatusOutsideHttpRange() {
        assertThatThrownBy(() -> RequestDecision.stop(99).build()).hasMessage("status: 99 (expected: 100..599)");
        assertThatThrownBy(() -> ResponseDecision.modify().status(600).build())
                .hasMessage("status: 600 (expected: 100..599)");
    }

    @Test
    void shouldRecordRewriteEditsInOrder() {
        var rewrite = RequestDecision.rewrite()
                .path("/new")
                .setHeader("x-a", "1")
                .removeHeader("x-b")
                .setArg("q", "v")
                .removeArg("drop")
                .addResponseHeader("x-r", "r")
                .body(Body.of("b"))
                .build();
        assertThat(rewrite.path()).contains("/new");
        assertThat(rewrite.headers())
                .containsExactly(
                        new RequestDecision.Rewrite.HeaderEdit("x-a", Optional.of("1")),
                        new RequestDecision.Rewrite.HeaderEdit("x-b", Optional.empty()));
        assertThat(rewrite.args())
                .extracting(RequestDecision.Rewrite.ArgEdit::name)
                .containsExactly("q", "drop");
        assertThat(rewrite.body()).contains(Body.of("b"));
    }

    @Test
    void shouldUnionRequirementsOfAChain() {
        var a = Requirements.vars("remote_addr").withRequestBody();
        var b = Requirements.vars("route_id", "remote_addr").withResponseBody();
        var both = a.plus(b);
        assertThat(both.vars()).containsExactlyInAnyOrder("remote_addr", "route_id");
        assertThat(both.requestBody()).isTrue();
        assertThat(both.responseBody()).isTrue();
    }

    @Test
    void shouldReadPhaseAndRouteIdFromRouteKey() {
        var ctx = new CallContext(
                Optional.of("route#1#ext-plugin-post-req#148"),
                7,
                CallContext.Phase.fromRouteKey("route#1#ext-plugin-post-req#148"));
        assertThat(ctx.phase()).isEqualTo(CallContext.Phase.POST_REQ);
        assertThat(ctx.routeId()).contains("route#1");
    }

    @Test
    void shouldFormatConfigErrorsWithFieldValueAndExpectation() {
        var e = PluginConfigException.invalid("targets[0].weight", -1, "an integer >= 0");
        assertThat(e).hasMessage("targets[0].weight: -1 (expected: an integer >= 0)");
        assertThat(e.field()).isEqualTo("targets[0].weight");
    }
}
