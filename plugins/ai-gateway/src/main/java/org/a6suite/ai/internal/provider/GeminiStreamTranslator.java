package org.a6suite.ai.internal.provider;

import java.util.Optional;
import org.a6suite.http.codec.SseEvent;
import tools.jackson.databind.JsonNode;

/**
 * Gemini's {@code :streamGenerateContent?alt=sse}: every {@code data:} event is a whole
 * {@code GenerateContentResponse} carrying the next parts of {@code candidates[0].content}; the last one has the
 * candidate's {@code finishReason}; {@code usageMetadata} (cumulative) may come on any of them. There is no
 * separate end event: the stream is complete once a finish reason (or a prompt block) has been seen. Function calls
 * arrive whole, one part each; thought parts are not relayed.
 */
public final class GeminiStreamTranslator extends StreamTranslator.Sse {

    private boolean started;
    private int calls;

    public GeminiStreamTranslator(String model) {
        super(model);
    }

    @Override
    void onEvent(SseEvent event) {
        JsonNode response = json(event.data());
        if (response.path("error").isObject()) {
            JsonNode e = response.path("error");
            throw streamError(e.path("status").asString(""), event.data());
        }
        if (response.path("responseId").isString()) {
            id = response.path("responseId").asString();
        }
        model = response.path("modelVersion").asString(model);
        JsonNode u = response.path("usageMetadata");
        if (u.isObject() && u.has("promptTokenCount")) {
            usage = Optional.of(new Usage(
                    u.path("promptTokenCount").asLong(0),
                    u.path("candidatesTokenCount").asLong(0)
                            + u.path("thoughtsTokenCount").asLong(0),
                    false));
        }
        if (!started) {
            started = true;
            emitRole();
        }
        JsonNode candidates = response.path("candidates");
        if (!candidates.isArray() || candidates.isEmpty()) {
            if (response.path("promptFeedback").has("blockReason")) {
                emitFinish("content_filter");
                done = true;
            }
            return;
        }
        JsonNode candidate = candidates.get(0);
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (part.path("thought").asBoolean(false)) {
                continue;
            }
            if (part.path("text").isString()) {
                emitText(part.path("text").asString());
            } else if (part.has("functionCall")) {
                JsonNode fc = part.path("functionCall");
                String args = org.a6suite.ai.internal.Json.MAPPER.writeValueAsString(
                        fc.path("args").isObject()
                                ? fc.get("args")
                                : org.a6suite.ai.internal.Json.MAPPER.createObjectNode());
                emitTool(
                        calls,
                        fc.path("id").asString("call_" + calls),
                        fc.path("name").asString(""),
                        args);
                calls++;
            }
        }
        if (candidate.path("finishReason").isString()) {
            String finish = switch (candidate.path("finishReason").asString()) {
                case "MAX_TOKENS" -> "length";
                case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" ->
                    "content_filter";
                default -> calls == 0 ? "stop" : "tool_calls";
            };
            emitFinish(finish);
            done = true;
        }
    }
}
