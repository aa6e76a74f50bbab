package org.a6suite.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.PluginConfigException;
import org.junit.jupiter.api.Test;

class ConfigBinderTest {

    enum Mode {
        FAST,
        SLOW
    }

    record Item(String id, int low, int high) {
        Item {
            if (high < low) {
                throw new InvalidFieldException("high", high, ">= low (" + low + ")");
            }
        }
    }

    record Breaker(boolean enabled, int windowSize, Duration waitInOpenMs) {}

    record Root(String name, Mode mode, List<Item> items, Breaker breaker, Optional<String> note) {}

    private final ConfigBinder<Root> binder = ConfigBinder.of(Root.class, "test/root.json");

    @Test
    void shouldFillDefaultsThroughRefsAndBindMillisecondsAsDurations() throws Exception {
        Root root = binder.bind("{\"name\": \"a\", \"items\": [{\"id\": \"x\"}]}");

        assertThat(root.mode()).isEqualTo(Mode.FAST);
        assertThat(root.items()).containsExactly(new Item("x", 1, 2));
        assertThat(root.breaker()).isEqualTo(new Breaker(true, 20, Duration.ofSeconds(10)));
        assertThat(root.note()).isEmpty();
    }

    @Test
    void shouldReportEveryProblemInOneMessageWithPathValueAndExpectation() {
        assertThatThrownBy(() -> binder.bind("""
                {"mode": "medium", "items": [{"id": "X1", "extra": 1}], "breaker": {"window_size": 0, "typo": 1}}"""))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("breaker.typo: unknown field (expected: one of [enabled, wait_in_open_ms, window_size]);"
                        + " breaker.window_size: 0 (expected: an integer in [1, 100]);"
                        + " items[0].extra: unknown field (expected: one of [high, id, low]);"
                        + " items[0].id: \"X1\" (expected: lower-case letters);"
                        + " mode: \"medium\" (expected: one of [fast, slow]);"
                        + " name: absent (expected: a non-empty string)")
                .extracting(e -> ((PluginConfigException) e).field())
                .isEqualTo("breaker.typo");
    }

    @Test
    void shouldNameMillisecondFieldsAndHideSecrets() {
        assertThatThrownBy(() -> binder.bind("{\"name\": \"a\", \"breaker\": {\"wait_in_open_ms\": 0}}"))
                .hasMessage("breaker.wait_in_open_ms: 0 (expected: milliseconds in [1, 3600000])");
        assertThatThrownBy(() -> binder.bind("{\"name\": \"a\", \"secret\": \"sk-123\"}"))
                .hasMessage("secret: a string (value not shown) (expected: a reference {\"env\": \"NAME\"})")
                .hasMessageNotContaining("sk-123");
    }

    @Test
    void shouldPrefixConstructorInvariantsWithTheRecordsPath() {
        assertThatThrownBy(() -> binder.bind(
                        "{\"name\": \"a\", \"items\": [{\"id\": \"x\"}, {\"id\": \"y\"," + " \"low\": 5}]}"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("items[1].high: 2 (expected: >= low (5))");
    }

    @Test
    void shouldRefuseBrokenDeepAndBlankValuesAsConfigErrors() {
        assertThatThrownBy(() -> binder.bind("{bad")).hasMessageStartingWith("$: not valid JSON at line 1");
        assertThatThrownBy(() -> binder.bind("[".repeat(5_000))).hasMessageContaining("levels deep");
        assertThatThrownBy(() -> binder.bind("[1]")).hasMessage("$: an array of 1 (expected: a JSON object)");
        assertThatThrownBy(() -> binder.bind("")).hasMessage("name: absent (expected: a non-empty string)");
        assertThatThrownBy(
                        () -> binder.blankRefused("a JSON object with \"name\"").bind(" "))
                .hasMessage("$: \"\" (expected: a JSON object with \"name\")");
    }

    @Test
    void shouldNeverResolveSchemasFromTheNetwork() {
        assertThatThrownBy(() -> ConfigSchema.load("nope.json", getClass().getClassLoader()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nope.json");
    }
}
