package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.PluginMetrics;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tools/call answer path rewritten for CPU: a structured result serialised once and written raw must give the
 * bytes the tree gave, and the bound meters must record the series the by-name calls recorded.
 */
class HotPathEncodingTest {

    private final ObjectMapper mapper = JsonMapper.builder().build();
    private final JsonRpcCodec codec = new JsonRpcCodec(mapper);

    private static final List<String> ANSWERS = List.of(
            "{\"id\":\"o-42\",\"status\":\"shipped\",\"total\":42.5}",
            "{ \"id\" : \"a\\\"b\\\\c\\n\\u0001\", \"total\": 42.50, \"n\": null, \"big\": 12345678901234567890 }",
            "{\"nested\":{\"list\":[1,2.0,-3e5,true,false,null,{\"x\":\"é中😀\"}]},\"empty\":{},\"arr\":[]}",
            "{\"html\":\"<script>&'</script>\",\"slash\":\"a/b\",\"tab\":\"\\t\",\"zero\":0,\"neg\":-0.0}",
            "{}");

    @Test
    void shouldEncodeAStructuredResultByteForByteAsTheTreeDid() {
        for (String answer : ANSWERS) {
            ObjectNode structured = (ObjectNode) mapper.readTree(answer);
            JsonRpcId id = new JsonRpcId(JsonNodeFactory.instance.numberNode(7));

            byte[] now = codec.encode(JsonRpcMessage.Response.success(id, CallResults.structured(mapper, structured)));
            byte[] before = codec.encode(JsonRpcMessage.Response.success(id, treeStructured(structured)));

            assertThat(new String(now, StandardCharsets.UTF_8))
                    .as(answer)
                    .isEqualTo(new String(before, StandardCharsets.UTF_8));
            assertThat(now).isEqualTo(before);
        }
    }

    @Test
    void shouldKeepTheResultReadableAsATreeWhereTheCallerLooks() {
        ObjectNode result = CallResults.structured(mapper, (ObjectNode) mapper.readTree(ANSWERS.get(0)));

        assertThat(result.path("isError").asBoolean(true)).isFalse();
        assertThat(result.path("content").get(0).path("text").asString()).isEqualTo(ANSWERS.get(0));
        assertThat(result.toString())
                .isEqualTo(treeStructured((ObjectNode) mapper.readTree(ANSWERS.get(0)))
                        .toString());
    }

    @Test
    void shouldBindEachToolSeriesOnceAndRecordWhatTheByNameCallsRecorded() {
        RecordingMetrics metrics = new RecordingMetrics();
        ToolMeters meters = new ToolMeters(metrics);

        for (int i = 0; i < 5; i++) {
            meters.count("orders_get", "ok");
            meters.observe("orders_get", 0.25);
        }
        meters.count("orders_get", "error");
        meters.count("calc_add", "ok");

        assertThat(metrics.bound)
                .containsExactlyInAnyOrder(
                        "counter a6_mcp_tool_calls_total {outcome=ok, tool=orders_get}",
                        "histogram a6_mcp_tool_call_duration_seconds {tool=orders_get}",
                        "counter a6_mcp_tool_calls_total {outcome=error, tool=orders_get}",
                        "counter a6_mcp_tool_calls_total {outcome=ok, tool=calc_add}");
        assertThat(metrics.recorded)
                .filteredOn(r -> r.equals("a6_mcp_tool_calls_total {outcome=ok, tool=orders_get} 1.0"))
                .hasSize(5);
        assertThat(metrics.recorded)
                .filteredOn(r -> r.equals("a6_mcp_tool_call_duration_seconds {tool=orders_get} 0.25"))
                .hasSize(5);
        assertThat(metrics.recorded)
                .contains(
                        "a6_mcp_tool_calls_total {outcome=error, tool=orders_get} 1.0",
                        "a6_mcp_tool_calls_total {outcome=ok, tool=calc_add} 1.0");
    }

    @Test
    void shouldRecordByNameWithoutKeepingHandlesWhenTheToolCapIsReached() {
        RecordingMetrics metrics = new RecordingMetrics();
        ToolMeters meters = new ToolMeters(metrics);
        for (int i = 0; i < ToolMeters.MAX_TOOLS; i++) {
            meters.count("calc_t" + i, "error");
        }
        metrics.bound.clear();
        metrics.recorded.clear();

        meters.count("calc_one_more", "error");
        meters.observe("calc_one_more", 1.5);
        meters.count("calc_t0", "error");

        assertThat(metrics.bound).isEmpty();
        assertThat(metrics.recorded)
                .containsExactly(
                        "a6_mcp_tool_calls_total {outcome=error, tool=calc_one_more} 1.0",
                        "a6_mcp_tool_call_duration_seconds {tool=calc_one_more} 1.5",
                        "a6_mcp_tool_calls_total {outcome=error, tool=calc_t0} 1.0");
    }

    /** The tree form of a structured result, as CallResults built it before. */
    private ObjectNode treeStructured(ObjectNode structured) {
        ObjectNode result = CallResults.text(mapper, mapper.writeValueAsString(structured));
        result.set("structuredContent", structured);
        return result;
    }

    /** Records bindings and recordings as text, labels in name order. */
    private static final class RecordingMetrics implements PluginMetrics {
        final List<String> bound = new ArrayList<>();
        final List<String> recorded = new ArrayList<>();

        @Override
        public void increment(String name, String help, Map<String, String> labels, double amount) {
            recorded.add(name + " " + new java.util.TreeMap<>(labels) + " " + amount);
        }

        @Override
        public void observe(String name, String help, Map<String, String> labels, double value) {
            recorded.add(name + " " + new java.util.TreeMap<>(labels) + " " + value);
        }

        @Override
        public BoundCounter counter(String name, String help, Map<String, String> labels) {
            bound.add("counter " + name + " " + new java.util.TreeMap<>(labels));
            return PluginMetrics.super.counter(name, help, labels);
        }

        @Override
        public BoundHistogram histogram(String name, String help, Map<String, String> labels) {
            bound.add("histogram " + name + " " + new java.util.TreeMap<>(labels));
            return PluginMetrics.super.histogram(name, help, labels);
        }
    }
}
