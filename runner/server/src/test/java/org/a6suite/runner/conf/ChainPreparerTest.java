package org.a6suite.runner.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.Requirements;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.Test;

class ChainPreparerTest {

    private static final Optional<String> KEY = Optional.of("route#9#ext-plugin-post-resp#3");

    private final TestPlugin ai = TestPlugin.named("ai")
            .parser(v -> {
                if (v.contains("leak")) {
                    throw PluginConfigException.invalid(
                            "providers[0].api_key", "sk-secret-value", "a ${ENV} reference");
                }
                if (v.contains("bad")) {
                    throw PluginConfigException.invalid("timeout_ms", v, "1..60000");
                }
                return v;
            })
            .requirements(Requirements.vars("route_id").withResponseBody())
            .build();

    private final ChainPreparer preparer =
            new ChainPreparer(name -> name.equals("ai") ? Optional.<Plugin<?>>of(ai) : Optional.empty());

    @Test
    void shouldKeepConfOrderAndSplitRequirementsByPhase() throws Exception {
        PreparedChain chain = preparer.prepare(KEY, List.of(TextEntry.of("ai", "1"), TextEntry.absent("ai")));
        assertThat(chain.links()).hasSize(2);
        assertThat(chain.requestRequirements()).isEqualTo(Requirements.vars("route_id"));
        assertThat(chain.responseRequirements().responseBody()).isTrue();
        assertThat(chain.context(5).phase()).isEqualTo(org.a6suite.plugin.CallContext.Phase.POST_RESP);
    }

    @Test
    void shouldParseAConfOnceAndShareItsTemplateBetweenTokensWithTheirOwnRouteKeys() throws Exception {
        java.util.concurrent.atomic.AtomicInteger parses = new java.util.concurrent.atomic.AtomicInteger();
        TestPlugin counting = TestPlugin.named("ai")
                .parser(v -> {
                    parses.incrementAndGet();
                    return v;
                })
                .requirements(Requirements.vars("route_id"))
                .build();
        ChainPreparer sharing = new ChainPreparer(name -> Optional.<Plugin<?>>of(counting));
        List<TextEntry> conf = List.of(TextEntry.of("ai", "{\"a\":1}"));

        PreparedChain pre = sharing.prepare(Optional.of("route#1#ext-plugin-pre-req#1"), conf);
        PreparedChain post = sharing.prepare(Optional.of("route#2#ext-plugin-post-resp#1"), List.copyOf(conf));
        PreparedChain other = sharing.prepare(KEY, List.of(TextEntry.of("ai", "{\"a\":2}")));

        assertThat(parses).hasValue(2);
        assertThat(post.template()).isSameAs(pre.template());
        assertThat(other.template()).isNotSameAs(pre.template());
        assertThat(other.template().needs())
                .as("equal needs are shared too")
                .isSameAs(pre.template().needs());
        assertThat(pre.context(1).phase()).isEqualTo(org.a6suite.plugin.CallContext.Phase.PRE_REQ);
        assertThat(post.context(1).phase()).isEqualTo(org.a6suite.plugin.CallContext.Phase.POST_RESP);
        assertThat(post.routeKey()).contains("route#2#ext-plugin-post-resp#1");
    }

    @Test
    void shouldNotShareBetweenConfsThatOnlyLookAlikeWhenConcatenated() throws Exception {
        TestPlugin any = TestPlugin.named("ab").build();
        TestPlugin other = TestPlugin.named("a").build();
        ChainPreparer sharing = new ChainPreparer(name -> Optional.<Plugin<?>>of(name.equals("ab") ? any : other));
        PreparedChain one = sharing.prepare(KEY, List.of(TextEntry.of("ab", "c")));
        PreparedChain two = sharing.prepare(KEY, List.of(TextEntry.of("a", "bc")));
        assertThat(two.template()).isNotSameAs(one.template());
        assertThat(two.links().get(0).name()).isEqualTo("a");
    }

    @Test
    void shouldNameRouteKeyPluginAndFieldForAnInvalidValue() {
        assertThatThrownBy(() -> preparer.prepare(KEY, List.of(TextEntry.of("ai", "bad"))))
                .isInstanceOf(ChainPreparationException.class)
                .hasMessage("route route#9#ext-plugin-post-resp#3, plugin ai, field timeout_ms: "
                        + "timeout_ms: bad (expected: 1..60000)");
    }

    @Test
    void shouldWithholdTheValueOfASecretLookingField() {
        assertThatThrownBy(() -> preparer.prepare(KEY, List.of(TextEntry.of("ai", "leak"))))
                .hasMessageNotContaining("sk-secret-value")
                .hasMessageContaining("providers[0].api_key: <withheld> (expected: a ${ENV} reference)");
    }

    @Test
    void shouldRejectAnUnknownPluginName() {
        assertThatThrownBy(() -> preparer.prepare(KEY, List.of(TextEntry.of("ai", ""), TextEntry.of("nope", ""))))
                .isInstanceOf(ChainPreparationException.class)
                .hasMessageContaining("plugin nope, field conf[1].name: unknown plugin nope");
    }
}
