package org.a6suite.ai.internal;

import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a whole {@code chat.completion} into OpenAI's {@code text/event-stream} chunk format: a role chunk, the
 * content, the tool calls, the finish reason, a usage chunk (empty {@code choices}, as with
 * {@code stream_options.include_usage}) and {@code data: [DONE]}. The runner answers APISIX with one whole body, so
 * the client receives these chunks at once, after the provider has finished.
 */
public final class StreamEncoder {

    private StreamEncoder() {}

    public static byte[] encode(ObjectNode completion) {
        StringBuilder out = new StringBuilder();
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");

        ObjectNode first = chunk(completion);
        ObjectNode delta = firstChoice(first);
        delta.put("role", "assistant");
        delta.put("content", "");
        append(out, first);

        String content = message.path("content").asString("");
        if (!content.isEmpty()) {
            ObjectNode c = chunk(completion);
            firstChoice(c).put("content", content);
            append(out, c);
        }
        ArrayNode calls = message.path("tool_calls").isArray() ? (ArrayNode) message.get("tool_calls") : null;
        if (calls != null && !calls.isEmpty()) {
            ObjectNode c = chunk(completion);
            ArrayNode deltas = firstChoice(c).putArray("tool_calls");
            for (int i = 0; i < calls.size(); i++) {
                ObjectNode call = (ObjectNode) calls.get(i).deepCopy();
                call.put("index", i);
                deltas.add(call);
            }
            append(out, c);
        }
        ObjectNode last = chunk(completion);
        firstChoice(last);
        ((ObjectNode) last.path("choices").path(0))
                .put("finish_reason", choice.path("finish_reason").asString("stop"));
        append(out, last);

        if (completion.path("usage").isObject()) {
            ObjectNode usage = chunk(completion);
            usage.putArray("choices");
            usage.set("usage", completion.get("usage"));
            append(out, usage);
        }
        out.append("data: [DONE]\n\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode chunk(ObjectNode completion) {
        ObjectNode chunk = Json.MAPPER.createObjectNode();
        chunk.put("id", completion.path("id").asString(""));
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", completion.path("created").asLong(0));
        chunk.put("model", completion.path("model").asString(""));
        return chunk;
    }

    private static ObjectNode firstChoice(ObjectNode chunk) {
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putNull("finish_reason");
        return choice.putObject("delta");
    }

    private static void append(StringBuilder out, ObjectNode chunk) {
        out.append("data: ").append(Json.MAPPER.writeValueAsString(chunk)).append("\n\n");
    }
}
