package org.a6suite.mcp.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

/**
 * The streaming request reader and answer writer pinned to what the mapper's tree gave: every body reads to the
 * same decision (same JSON-RPC error text and code, same id, same parameter nodes down to their number types) as
 * {@code readTree} + {@link JsonRpcCodec#decode(JsonNode)}, and every message encodes to the bytes
 * {@code writeValueAsBytes(toJson(message))} gave.
 */
class JsonRpcStreamingTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Built as the plugin builds its mapper: the factory's read constraints apply to both paths. */
    private final ObjectMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(
                            StreamReadConstraints.builder().maxNestingDepth(128).build())
                    .build())
            .build();

    private final JsonRpcCodec codec = new JsonRpcCodec(mapper);

    private static final List<String> BODIES = List.of(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"orders_get\","
                    + "\"arguments\":{\"id\":\"o-42\"}}}",
            "{\"params\":{\"name\":\"n\",\"arguments\":{\"i\":1,\"l\":2147483648,\"b\":9223372036854775808,"
                    + "\"d\":1.5,\"e\":-3e5,\"z\":-0.0,\"big\":1e400,\"tiny\":1E-400,\"u\":\"é中😀\\u0001\\\"\","
                    + "\"a\":[true,false,null,{},[]]}},\"method\":\"m\",\"id\":\"s-1\",\"jsonrpc\":\"2.0\"}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":[1,2]}",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"ok\":true}}",
            "{\"jsonrpc\":\"2.0\",\"id\":\"r\",\"error\":{\"code\":-32000,\"message\":\"no\",\"data\":{\"x\":[1]}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-1}}",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":1.5,\"message\":\"m\"}}",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":\"boom\"}",
            "{\"jsonrpc\":\"2.0\",\"result\":1}",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":1,\"error\":{\"code\":1}}",
            "{\"jsonrpc\":\"2.0\",\"id\":5}",
            "{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"ping\"}",
            "{\"jsonrpc\":2.0,\"id\":7,\"method\":\"ping\"}",
            "{\"id\":7,\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":12345678901234567890,\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":5}",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"m\",\"params\":\"text\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"m\",\"params\":null}",
            "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"m\",\"params\":3}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"a\",\"method\":\"b\"}",
            "{\"extra\":{\"deep\":[1,{\"x\":[null]}]},\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"m\",\"more\":\"s\"}",
            "  {\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"m\"}  \n",
            "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"m\"} x",
            "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"m\"} {}",
            "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"m\",\"extra\":[1,}",
            "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"m\"",
            "{not json",
            "",
            "   ",
            "null",
            "5",
            "\"text\"",
            "true",
            "[]",
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},1,{\"jsonrpc\":\"2.0\",\"method\":\"n\"}]",
            "[1,2] 3",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"skipped\":" + "[".repeat(200) + "]".repeat(200) + "}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":{\"a\":" + "[".repeat(126) + "]".repeat(126)
                    + "}}");

    @Test
    void shouldReadEveryBodyToTheDecisionTheTreeGave() {
        for (String body : BODIES) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

            String before = treeDecision(bytes);

            assertThat(describe(codec.read(bytes))).as(body).isEqualTo(before);
            assertThat(describe(codec.read(new ByteArrayInputStream(bytes))))
                    .as(body)
                    .isEqualTo(before);
        }
    }

    @Test
    void shouldDecodeBytesWithTheSameErrorsAsBefore() {
        for (String body : BODIES) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            JsonRpcCodec.Decoded before;
            JsonNode root;
            try {
                root = mapper.readTree(bytes);
            } catch (JacksonException e) {
                root = null;
                before = new JsonRpcCodec.Decoded.Invalid(
                        Optional.empty(), JsonRpcError.parseError("parse error: the body is not valid JSON"));
                assertThat(codec.decode(bytes)).as(body).isEqualTo(before);
                continue;
            }
            before = root == null || root.isMissingNode()
                    ? new JsonRpcCodec.Decoded.Invalid(
                            Optional.empty(), JsonRpcError.parseError("parse error: the body is empty"))
                    : codec.decode(root);

            assertThat(codec.decode(bytes)).as(body).isEqualTo(before);
        }
    }

    @Test
    void shouldNameTheOffendingFieldWithInvalidRequestCode() {
        JsonRpcCodec.Read read = codec.read(
                "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"m\",\"params\":\"text\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(read)
                .isEqualTo(new JsonRpcCodec.Read.Single(new JsonRpcCodec.Decoded.Invalid(
                        Optional.of(JsonRpcId.of(8)),
                        JsonRpcError.invalidRequest(
                                "invalid request: params: STRING (expected: an object or an " + "array)"))));
        assertThat(((JsonRpcCodec.Decoded.Invalid) ((JsonRpcCodec.Read.Single) read).decoded())
                        .error()
                        .code())
                .isEqualTo(JsonRpcError.INVALID_REQUEST);
    }

    @Test
    void shouldEncodeEveryMessageToTheBytesTheTreeGave() {
        for (JsonRpcMessage message : messages()) {
            byte[] before = mapper.writeValueAsBytes(codec.toJson(message));

            byte[] now = codec.encode(message);

            assertThat(new String(now, StandardCharsets.UTF_8))
                    .as(message.toString())
                    .isEqualTo(new String(before, StandardCharsets.UTF_8));
            assertThat(now).isEqualTo(before);
        }
    }

    @Test
    void shouldReadAndWriteABackendAnswerAsTheMapperDid() {
        JsonTrees trees = new JsonTrees(mapper);
        List<String> answers = new ArrayList<>(BODIES);
        answers.addAll(List.of("{\"id\":\"o-42\",\"status\":\"shipped\",\"total\":42.5}", "[1,2,3]", " \n "));
        for (String answer : answers) {
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            String before;
            try {
                JsonNode tree = mapper.readTree(bytes);
                before = "tree " + typed(tree) + " text " + mapper.writeValueAsString(tree);
            } catch (JacksonException e) {
                before = "not JSON";
            }

            String now;
            try {
                JsonNode tree = trees.readTree(bytes);
                now = "tree " + typed(tree) + " text " + trees.writeString(tree);
            } catch (JacksonException e) {
                now = "not JSON";
            }

            assertThat(now).as(answer).isEqualTo(before);
        }
        for (JsonRpcMessage message : messages()) {
            assertThat(trees.writeString(codec.toJson(message)))
                    .isEqualTo(mapper.writeValueAsString(codec.toJson(message)));
        }
    }

    private List<JsonRpcMessage> messages() {
        List<JsonRpcMessage> all = new ArrayList<>();
        ObjectNode numbers = NODES.objectNode();
        numbers.put("i", 7);
        numbers.put("s", (short) 3);
        numbers.put("l", 9_000_000_000L);
        numbers.put("bi", new BigInteger("123456789012345678901234567890"));
        numbers.put("f", 1.25f);
        numbers.put("d", -0.0);
        numbers.put("dd", 1e300);
        numbers.put("bd", new BigDecimal("42.50"));
        numbers.put("bde", new BigDecimal("1E+3"));
        numbers.putRawValue("raw", new RawValue("{\"a\":[1,2.50]}"));
        numbers.putPOJO("pojo", Map.of("k", "v"));
        numbers.put("text", "a\"b\\c\n\u0001 é中😀 </script>");
        numbers.putNull("n");
        numbers.put("t", true);
        numbers.putArray("arr").add(1).add("x").addNull().addObject();
        for (String body : BODIES) {
            try {
                JsonNode tree = mapper.readTree(body);
                if (tree != null && !tree.isMissingNode()) {
                    all.add(JsonRpcMessage.Response.success(JsonRpcId.of(1), tree));
                    if (tree.isObject()) {
                        all.add(new JsonRpcMessage.Request(JsonRpcId.of("s"), "m", Optional.of(tree)));
                    }
                }
            } catch (JacksonException e) {
                // not JSON: nothing to encode
            }
        }
        ObjectNode raw = NODES.objectNode();
        raw.putRawValue("structuredContent", new RawValue("{\"id\":\"o-42\",\"total\":42.5}"));
        all.add(JsonRpcMessage.Response.success(JsonRpcId.of(2), raw));
        all.add(JsonRpcMessage.Response.success(JsonRpcId.of(Long.MAX_VALUE), numbers));
        all.add(new JsonRpcMessage.Request(JsonRpcId.of(3), "tools/call", Optional.empty()));
        all.add(new JsonRpcMessage.Notification("notifications/progress", Optional.of(numbers.deepCopy())));
        all.add(new JsonRpcMessage.Notification("n", Optional.empty()));
        all.add(JsonRpcMessage.Response.failure(Optional.empty(), JsonRpcError.parseError("parse error: x")));
        all.add(JsonRpcMessage.Response.failure(
                Optional.of(JsonRpcId.of("r")),
                new JsonRpcError(
                        -32602, "bad \"name\"", Optional.of(NODES.objectNode().put("field", "name")))));
        return all;
    }

    /** PostRouter's former reading: readTree, then an array is a batch, anything else is decoded. */
    private String treeDecision(byte[] bytes) {
        JsonNode root;
        try {
            root = mapper.readTree(bytes);
        } catch (JacksonException e) {
            return "malformed";
        }
        if (root == null || root.isMissingNode()) {
            return "empty";
        }
        if (root.isArray()) {
            return "batch " + typed(root);
        }
        return "single " + describe(codec.decode(root));
    }

    private static String describe(JsonRpcCodec.Read read) {
        return switch (read) {
            case JsonRpcCodec.Read.Empty e -> "empty";
            case JsonRpcCodec.Read.Malformed m -> "malformed";
            case JsonRpcCodec.Read.Batch b -> "batch " + typed(b.items());
            case JsonRpcCodec.Read.Single s -> "single " + describe(s.decoded());
        };
    }

    private static String describe(JsonRpcCodec.Decoded decoded) {
        return switch (decoded) {
            case JsonRpcCodec.Decoded.Invalid i ->
                "invalid " + i.id().map(id -> typed(id.node())) + " "
                        + i.error().code() + " " + i.error().message();
            case JsonRpcCodec.Decoded.Valid(JsonRpcMessage.Request r) ->
                "request " + typed(r.id().node()) + " " + r.method() + " "
                        + r.params().map(JsonRpcStreamingTest::typed);
            case JsonRpcCodec.Decoded.Valid(JsonRpcMessage.Notification n) ->
                "notification " + n.method() + " " + n.params().map(JsonRpcStreamingTest::typed);
            case JsonRpcCodec.Decoded.Valid(JsonRpcMessage.Response r) ->
                "response " + r.id().map(id -> typed(id.node())) + " "
                        + r.result().map(JsonRpcStreamingTest::typed)
                        + " "
                        + r.error()
                                .map(e -> e.code() + " " + e.message() + " "
                                        + e.data().map(JsonRpcStreamingTest::typed));
        };
    }

    /** A node with the class of every node in it: an int node and a long node of the same value differ. */
    private static String typed(JsonNode node) {
        StringBuilder out = new StringBuilder(node.getClass().getSimpleName());
        if (node instanceof ObjectNode object) {
            out.append('{');
            object.properties()
                    .forEach(e -> out.append(e.getKey())
                            .append('=')
                            .append(typed(e.getValue()))
                            .append(','));
            out.append('}');
        } else if (node instanceof ArrayNode array) {
            out.append('[');
            array.forEach(item -> out.append(typed(item)).append(','));
            out.append(']');
        } else {
            out.append('(').append(node).append(')');
        }
        return out.toString();
    }
}
