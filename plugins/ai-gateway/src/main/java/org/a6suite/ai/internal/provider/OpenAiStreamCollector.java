package org.a6suite.ai.internal.provider;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.Json;
import org.a6suite.http.codec.SseDecoder;
import org.a6suite.http.codec.SseEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rebuilds a whole chat completion from an OpenAI-shaped stream collected whole ({@code chat.completion.chunk}
 * events): the first choice's content, tool calls and finish reason, the last usage reported. A stream without
 * {@code data: [DONE]} or without a finish reason is truncated; a chunk with {@code error} is the provider's error.
 */
final class OpenAiStreamCollector {

    private OpenAiStreamCollector() {}

    /** The completion {@code body}'s events add up to, its model the target's unless a chunk names one. */
    static ObjectNode collect(Target target, byte[] body) {
        String id = null;
        String model = target.model();
        StringBuilder content = new StringBuilder();
        Map<Integer, String[]> tools = new TreeMap<>();
        String finish = null;
        Optional<Usage> usage = Optional.empty();
        boolean done = false;
        for (SseEvent event : SseDecoder.decodeAll(body)) {
            if (event.data().equals("[DONE]")) {
                done = true;
                break;
            }
            JsonNode chunk;
            try {
                chunk = Json.MAPPER.readTree(event.data());
            } catch (JacksonException e) {
                throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
            }
            if (chunk.has("error")) {
                throw new ProviderException(
                        ProviderException.Kind.SERVER_ERROR,
                        Optional.empty(),
                        Optional.empty(),
                        Wire.providerMessage(event.data().getBytes(StandardCharsets.UTF_8)));
            }
            if (id == null && chunk.path("id").isString()) {
                id = chunk.path("id").asString();
            }
            if (chunk.path("model").isString()) {
                model = chunk.path("model").asString();
            }
            for (JsonNode choice : chunk.path("choices")) {
                if (choice.path("index").asInt(0) != 0) {
                    continue;
                }
                JsonNode delta = choice.path("delta");
                if (delta.path("content").isString()) {
                    content.append(delta.path("content").asString());
                }
                for (JsonNode call : delta.path("tool_calls")) {
                    String[] acc = tools.computeIfAbsent(call.path("index").asInt(0), i -> new String[] {"", "", ""});
                    if (call.path("id").isString()) {
                        acc[0] = call.path("id").asString();
                    }
                    JsonNode fn = call.path("function");
                    if (fn.path("name").isString()) {
                        acc[1] += fn.path("name").asString();
                    }
                    if (fn.path("arguments").isString()) {
                        acc[2] += fn.path("arguments").asString();
                    }
                }
                if (choice.path("finish_reason").isString()) {
                    finish = choice.path("finish_reason").asString();
                }
            }
            JsonNode u = chunk.path("usage");
            if (u.isObject() && u.has("prompt_tokens")) {
                usage = Optional.of(new Usage(
                        u.path("prompt_tokens").asLong(),
                        u.path("completion_tokens").asLong(),
                        false));
            }
        }
        if (!done || finish == null) {
            throw ProviderException.of(ProviderException.Kind.TRUNCATED_STREAM, "");
        }
        ArrayNode calls = Json.MAPPER.createArrayNode();
        tools.values().forEach(t -> calls.add(Wire.toolCall(t[0], t[1], t[2])));
        return Wire.completion(id, model, content.toString(), calls, finish, usage);
    }
}
