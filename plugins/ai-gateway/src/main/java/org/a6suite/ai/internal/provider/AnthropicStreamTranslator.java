package org.a6suite.ai.internal.provider;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.a6suite.http.codec.SseEvent;
import tools.jackson.databind.JsonNode;

/**
 * Anthropic Messages streams:
 * <pre>
 *   message_start        {message: {id, model, usage: {input_tokens, ...}}}        -> role chunk
 *   content_block_start  {index, content_block: {type: text | tool_use, id, name}} -> tool call head
 *   content_block_delta  {index, delta: {type: text_delta, text}}                   -> content
 *                        {index, delta: {type: input_json_delta, partial_json}}     -> tool call arguments
 *   content_block_stop, ping                                                        (nothing)
 *   message_delta        {delta: {stop_reason}, usage: {output_tokens}}             -> finish reason, usage
 *   message_stop                                                                    end of stream
 *   error                {error: {type, message}}                                   failure
 * </pre>
 * Thinking blocks are not relayed (OpenAI's chunk has no place for them).
 */
public final class AnthropicStreamTranslator extends StreamTranslator.Sse {

    private final Map<Integer, Integer> toolIndex = new HashMap<>();
    private long input;
    private long output;
    private boolean usageSeen;

    public AnthropicStreamTranslator(String model) {
        super(model);
    }

    @Override
    void onEvent(SseEvent event) {
        JsonNode data = json(event.data());
        String type = data.path("type").asString(event.type());
        switch (type) {
            case "message_start" -> {
                JsonNode m = data.path("message");
                if (m.path("id").isString()) {
                    id = m.path("id").asString();
                }
                model = m.path("model").asString(model);
                JsonNode u = m.path("usage");
                if (u.isObject()) {
                    input = u.path("input_tokens").asLong(0)
                            + u.path("cache_creation_input_tokens").asLong(0)
                            + u.path("cache_read_input_tokens").asLong(0);
                    output = u.path("output_tokens").asLong(0);
                    usageSeen = true;
                }
                emitRole();
            }
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                if (block.path("type").asString("").equals("tool_use")) {
                    int index = toolIndex.size();
                    toolIndex.put(data.path("index").asInt(), index);
                    emitTool(
                            index,
                            block.path("id").asString(""),
                            block.path("name").asString(""),
                            "");
                } else if (block.path("type").asString("").equals("text")) {
                    emitText(block.path("text").asString(""));
                }
            }
            case "content_block_delta" -> {
                JsonNode delta = data.path("delta");
                switch (delta.path("type").asString("")) {
                    case "text_delta" -> emitText(delta.path("text").asString(""));
                    case "input_json_delta" -> {
                        Integer index = toolIndex.get(data.path("index").asInt());
                        String partial = delta.path("partial_json").asString("");
                        if (index != null && !partial.isEmpty()) {
                            emitTool(index, null, null, partial);
                        }
                    }
                    default -> {}
                }
            }
            case "message_delta" -> {
                if (data.path("usage").has("output_tokens")) {
                    output = data.path("usage").path("output_tokens").asLong();
                    if (data.path("usage").has("input_tokens")) {
                        input = data.path("usage").path("input_tokens").asLong();
                    }
                    usageSeen = true;
                }
                if (data.path("delta").path("stop_reason").isString()) {
                    emitFinish(AnthropicAdapter.finishReason(
                            data.path("delta").path("stop_reason").asString()));
                }
            }
            case "message_stop" -> {
                done = true;
                if (usageSeen) {
                    usage = Optional.of(new Usage(input, output, false));
                }
            }
            case "error" -> throw streamError(data.path("error").path("type").asString(""), event.data());
            default -> {}
        }
    }
}
