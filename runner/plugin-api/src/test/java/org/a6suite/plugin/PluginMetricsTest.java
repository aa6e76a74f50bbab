package org.a6suite.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginMetricsTest {

    private record Call(String kind, String name, Map<String, String> labels, double value) {}

    /** An implementation with only the two named methods: handles come from the interface's defaults. */
    private final List<Call> calls = new ArrayList<>();

    private final PluginMetrics recording = new PluginMetrics() {
        @Override
        public void increment(String name, String help, Map<String, String> labels, double amount) {
            calls.add(new Call("counter", name, labels, amount));
        }

        @Override
        public void observe(String name, String help, Map<String, String> labels, double value) {
            calls.add(new Call("histogram", name, labels, value));
        }
    };

    @Test
    void shouldRecordThroughTheNamedMethodsWhenAnImplementationHasNoHandlesOfItsOwn() {
        recording.counter("a6_x_total", "x", Map.of("target", "a")).increment(2);
        recording.histogram("a6_x_seconds", "x", Map.of("target", "a")).observe(0.5);

        assertThat(calls)
                .containsExactly(
                        new Call("counter", "a6_x_total", Map.of("target", "a"), 2),
                        new Call("histogram", "a6_x_seconds", Map.of("target", "a"), 0.5));
    }

    @Test
    void shouldBindTheLabelsAsTheyWereWhenBound() {
        Map<String, String> labels = new HashMap<>(Map.of("target", "a"));
        PluginMetrics.BoundCounter counter = recording.counter("a6_x_total", "x", labels);
        labels.put("target", "b");

        counter.increment(1);

        assertThat(calls).singleElement().extracting(Call::labels).isEqualTo(Map.of("target", "a"));
    }

    @Test
    void shouldLeaveLabelsWithNullsToTheImplementationToDrop() {
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("target", null);

        assertThatCode(() -> recording.counter("a6_x_total", "x", nullValue).increment(1))
                .doesNotThrowAnyException();
        assertThatCode(() -> recording.histogram("a6_x_seconds", "x", null).observe(1))
                .doesNotThrowAnyException();
        assertThat(calls).hasSize(2);
    }

    @Test
    void shouldHandOutHandlesThatRecordNothingFromTheNoopSink() {
        assertThat(PluginMetrics.NOOP.counter("a6_x_total", "x", Map.of())).isSameAs(PluginMetrics.BoundCounter.NOOP);
        assertThat(PluginMetrics.NOOP.histogram("a6_x_seconds", "x", Map.of()))
                .isSameAs(PluginMetrics.BoundHistogram.NOOP);
    }
}
