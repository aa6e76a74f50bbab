package org.a6suite.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallContextTest {

    @Test
    void shouldDeriveTheRouteIdAsTheKeyUpToItsSecondHash() {
        assertThat(CallContext.routeIdOf(Optional.of("route#1#ext-plugin-pre-req#148")))
                .contains("route#1");
        assertThat(CallContext.routeIdOf(Optional.of("route#1"))).contains("route#1");
        assertThat(CallContext.routeIdOf(Optional.of("plain"))).contains("plain");
        assertThat(CallContext.routeIdOf(Optional.of("a#b#"))).contains("a#b");
        assertThat(CallContext.routeIdOf(Optional.of("#x#y"))).contains("#x");
        assertThat(CallContext.routeIdOf(Optional.empty())).isEmpty();
    }

    @Test
    void shouldDeriveTheRouteIdWhenBuiltFromTheKeyAlone() {
        var ctx = new CallContext(Optional.of("service#9#ext-plugin-pre-req#2"), 7, CallContext.Phase.PRE_REQ);

        assertThat(ctx.routeId()).contains("service#9");
        assertThat(new CallContext(Optional.empty(), 7, CallContext.Phase.LANE).routeId())
                .isEmpty();
    }

    @Test
    void shouldTakeAPrecomputedRouteIdThatMatchesTheKey() {
        Optional<String> key = Optional.of("route#1#ext-plugin-pre-req#148");
        Optional<String> id = CallContext.routeIdOf(key);

        var ctx = new CallContext(key, 3, CallContext.Phase.PRE_REQ, id);

        assertThat(ctx.routeId()).isSameAs(id);
        assertThat(ctx).isEqualTo(new CallContext(key, 3, CallContext.Phase.PRE_REQ));
    }

    @Test
    void shouldRefuseARouteIdThatIsNotTheKeys() {
        Optional<String> key = Optional.of("route#1#ext-plugin-pre-req#148");

        assertThatThrownBy(() -> new CallContext(key, 3, CallContext.Phase.PRE_REQ, Optional.of("route#2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("routeId")
                .hasMessageContaining("expected: routeIdOf(routeKey)");
        assertThatThrownBy(() -> new CallContext(key, 3, CallContext.Phase.PRE_REQ, Optional.of("route#1#ext")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CallContext(key, 3, CallContext.Phase.PRE_REQ, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CallContext(Optional.empty(), 3, CallContext.Phase.LANE, Optional.of("route#1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
