package org.a6suite.ai.internal.provider;

import org.a6suite.http.codec.SseEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI-shaped streams (OpenAI, Azure OpenAI, Mistral, DeepSeek, OpenAI-compatible): {@code data:} events each
 * holding a {@code chat.completion.chunk}, relayed as they are; a chunk with {@code usage} (the last one when
 * {@code stream_options.include_usage} was sent, or Mistral's final chunk) gives the usage; {@code data: [DONE]}
 * ends the stream; {@code {"error": ...}} reports a failure.
 */
public final class OpenAiStreamTranslator extends StreamTranslator.Sse {

    public OpenAiStreamTranslator(String model) {
        super(model);
    }

    @Override
    void onEvent(SseEvent event) {
        if (event.data().equals("[DONE]")) {
            done = true;
            return;
        }
        JsonNode node = json(event.data());
        if (node.has("error") && !node.path("error").isNull()) {
            JsonNode e = node.path("error");
            throw streamError(e.path("type").asString(e.path("code").asString("")), event.data());
        }
        ObjectNode chunk = (ObjectNode) node;
        if (chunk.path("id").isString()) {
            id = chunk.path("id").asString();
        }
        if (chunk.path("model").isString()) {
            model = chunk.path("model").asString();
        }
        JsonNode u = chunk.remove("usage");
        if (u != null && u.isObject() && u.has("prompt_tokens")) {
            usage = java.util.Optional.of(new Usage(
                    u.path("prompt_tokens").asLong(0),
                    u.path("completion_tokens").asLong(0),
                    false));
        }
        if (!chunk.path("choices").isArray() || chunk.path("choices").isEmpty()) {
            return; // the usage chunk: the gateway sends its own, with cost
        }
        chunk.put("object", "chat.completion.chunk");
        emit(chunk);
    }
}
