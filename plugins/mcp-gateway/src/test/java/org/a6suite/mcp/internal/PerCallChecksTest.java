package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The per-call checks rewritten to scan in place (no splitting, lower-casing, regular expressions or JSON text):
 * they must decide exactly as the forms they replaced.
 */
class PerCallChecksTest {

    @Test
    void shouldAcceptMediaRangesWhateverTheirCaseSpacingParametersOrHeaderLines() {
        assertThat(HttpGuard.accepts(List.of("application/json, text/event-stream"), "text/event-stream"))
                .isTrue();
        assertThat(HttpGuard.accepts(List.of("Application/JSON;q=0.9"), "application/json"))
                .isTrue();
        assertThat(HttpGuard.accepts(List.of("text/html", " text/* ; q=0.5"), "text/event-stream"))
                .isTrue();
        assertThat(HttpGuard.accepts(List.of("text/html,*/*"), "application/json"))
                .isTrue();
        assertThat(HttpGuard.accepts(List.of("application/json,"), "application/json"))
                .isTrue();
    }

    @Test
    void shouldRefuseMediaRangesThatOnlyResembleTheType() {
        assertThat(HttpGuard.accepts(List.of("application/jsonx, text/event"), "application/json"))
                .isFalse();
        assertThat(HttpGuard.accepts(List.of("application/json"), "text/event-stream"))
                .isFalse();
        assertThat(HttpGuard.accepts(List.of("text/**", "te/*"), "text/event-stream"))
                .isFalse();
        assertThat(HttpGuard.accepts(List.of("", ","), "application/json")).isFalse();
        assertThat(HttpGuard.accepts(List.of(), "application/json")).isFalse();
    }

    @Test
    void shouldFindPlaceholdersOnlyWhereABraceEnclosesANameUpToItsClosingBrace() {
        String template = "/a/{id}/{}/{x y}/{open/{v.1-b_c}";
        assertThat(RestToolInvoker.placeholderEnd(template, template.indexOf("{id}")))
                .isEqualTo(template.indexOf("{id}") + 3);
        assertThat(RestToolInvoker.placeholderEnd(template, template.indexOf("{}")))
                .isEqualTo(-1);
        assertThat(RestToolInvoker.placeholderEnd(template, template.indexOf("{x y}")))
                .isEqualTo(-1);
        assertThat(RestToolInvoker.placeholderEnd(template, template.indexOf("{open")))
                .isEqualTo(-1);
        assertThat(RestToolInvoker.placeholderEnd(template, template.indexOf("{v.1")))
                .isEqualTo(template.length() - 1);
        assertThat(RestToolInvoker.placeholderEnd("/{tail", 1)).isEqualTo(-1);
    }

    @Test
    void shouldCancelOnlyTheRequestWhoseIdHasTheSameTypeAndValue() {
        LiveSessions.Live live =
                new LiveSessions(new JsonRpcCodec(JsonMapper.builder().build()), 2).live("s1");
        CallControl numeric = new CallControl();
        CallControl text = new CallControl();
        live.track(JsonRpcId.of(1), numeric);
        live.track(JsonRpcId.of("1"), text);

        assertThat(live.cancel(JsonNodeFactory.instance.stringNode("1"))).isTrue();
        assertThat(text.cancelled()).isTrue();
        assertThat(numeric.cancelled()).isFalse();
        assertThat(live.cancel(JsonNodeFactory.instance.numberNode(1L))).isTrue();
        assertThat(numeric.cancelled()).isTrue();
        assertThat(live.cancel(JsonNodeFactory.instance.numberNode(1))).isFalse();
    }
}
