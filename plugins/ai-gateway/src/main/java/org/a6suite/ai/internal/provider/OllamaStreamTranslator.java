package org.a6suite.ai.internal.provider;

import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Ollama's {@code /api/chat} with {@code stream: true}: newline-delimited JSON objects
 * <pre>
 *   {"model", "created_at", "message": {"role": "assistant", "content": "Hel", "tool_calls": [...]}, "done": false}
 *   {"model", "created_at", "message": {...}, "done": true, "done_reason": "stop",
 *    "prompt_eval_count": 11, "eval_count": 7, ...durations}
 *   {"error": "..."}                                    a failure
 * </pre>
 * Tool calls arrive whole, with arguments as objects.
 */
public final class OllamaStreamTranslator extends StreamTranslator.Ndjson {

    private boolean started;
    private int calls;

    public OllamaStreamTranslator(String model) {
        super(model);
    }

    @Override
    void onLine(JsonNode line) {
        if (line.has("error")) {
            throw streamError("", line.toString());
        }
        model = line.path("model").asString(model);
        if (!started) {
            started = true;
            emitRole();
        }
        JsonNode message = line.path("message");
        emitText(message.path("content").asString(""));
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode fn = call.path("function");
            String args = fn.path("arguments").isString()
                    ? fn.path("arguments").asString()
                    : org.a6suite.ai.internal.Json.MAPPER.writeValueAsString(fn.path("arguments"));
            emitTool(
                    calls,
                    call.path("id").asString("call_" + calls),
                    fn.path("name").asString(""),
                    args);
            calls++;
        }
        if (line.path("done").asBoolean(false)) {
            emitFinish(
                    calls > 0
                            ? "tool_calls"
                            : "length".equals(line.path("done_reason").asString("")) ? "length" : "stop");
            if (line.has("prompt_eval_count") || line.has("eval_count")) {
                usage = Optional.of(new Usage(
                        line.path("prompt_eval_count").asLong(0),
                        line.path("eval_count").asLong(0),
                        false));
            }
            done = true;
        }
    }
}
