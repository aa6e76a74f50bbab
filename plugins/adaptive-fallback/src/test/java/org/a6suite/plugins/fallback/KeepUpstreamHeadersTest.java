package org.a6suite.plugins.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.junit.jupiter.api.Test;

/**
 * An empty post-resp reply makes APISIX drop the upstream's Content-Type (transcript s05b), so a response the plugin
 * leaves alone is answered with the upstream's own end-to-end headers.
 */
class KeepUpstreamHeadersTest {

    @Test
    void shouldSendBackTheUpstreamsEndToEndHeadersSoContentTypeSurvives() {
        var upstream = new ResponseView(
                200,
                Headers.of(
                        "Content-Type",
                        "application/json",
                        "Set-Cookie",
                        "a=1",
                        "Set-Cookie",
                        "b=2",
                        "Content-Length",
                        "12",
                        "Connection",
                        "keep-alive",
                        "Transfer-Encoding",
                        "chunked",
                        "X-Echo-Mixed-Case",
                        "Yes"),
                Map.of(),
                Optional.empty());

        var decision = AdaptiveFallbackPlugin.keepUpstreamHeaders(upstream);

        assertThat(decision).isInstanceOf(ResponseDecision.Modify.class);
        var modify = (ResponseDecision.Modify) decision;
        assertThat(modify.status()).as("the upstream status stays").isEmpty();
        assertThat(modify.body()).as("the upstream body streams on").isEmpty();
        Headers headers = modify.headers().orElseThrow();
        assertThat(headers.first("content-type")).contains("application/json");
        assertThat(headers.all("set-cookie")).containsExactly("a=1", "b=2");
        assertThat(headers.first("X-Echo-Mixed-Case")).contains("Yes");
        assertThat(headers.contains("connection")
                        || headers.contains("transfer-encoding")
                        || headers.contains("content-length"))
                .as("framing is left to nginx")
                .isFalse();
    }

    @Test
    void shouldPassWhenTheUpstreamSentOnlyFramingHeaders() {
        var upstream = new ResponseView(204, Headers.of("Connection", "close"), Map.of(), Optional.empty());
        assertThat(AdaptiveFallbackPlugin.keepUpstreamHeaders(upstream)).isEqualTo(ResponseDecision.pass());
    }
}
