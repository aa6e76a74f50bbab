package org.a6suite.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class LaneResponseTest {

    @Test
    void shouldMarkARewriteForTheLaneOnlyWhenAsked() {
        assertThat(RequestDecision.rewrite()
                        .setHeader("x-a", "1")
                        .toLane()
                        .build()
                        .lane())
                .isTrue();
        assertThat(RequestDecision.rewrite().setHeader("x-a", "1").build().lane())
                .isFalse();
    }

    @Test
    void shouldRefuseAStatusThatIsNotAFinalAnswer() {
        Flow.Publisher<Body> none = subscriber -> {};
        assertThatThrownBy(() -> LaneResponse.streamed(101, Headers.EMPTY, none))
                .hasMessage("status: 101 (expected: 200..599)");
        assertThatThrownBy(() -> LaneResponse.whole(600, Headers.EMPTY, Body.EMPTY))
                .hasMessage("status: 600 (expected: 200..599)");
    }

    @Test
    void shouldAnswer501OnTheLaneForAPluginThatDoesNotServeIt() {
        Plugin<String> plain = new Plugin<>() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public String parseConfig(String value) {
                return value;
            }
        };

        LaneResponse answer = plain.onLane(
                        RequestView.builder(HttpMethod.GET, "/").build(),
                        "",
                        new CallContext(Optional.empty(), 1, CallContext.Phase.LANE))
                .toCompletableFuture()
                .join();

        assertThat(answer.status()).isEqualTo(501);
        assertThat(((LaneResponse.Whole) answer).body().asUtf8()).contains("plain");
    }
}
