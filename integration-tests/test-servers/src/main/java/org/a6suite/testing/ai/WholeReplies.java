package org.a6suite.testing.ai;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * TEST FIXTURE. The whole (not streamed) answers of each provider flavor, in its public wire format: chat
 * completions (text or a scripted tool call, fixed usage counts unless omitted), embeddings and error bodies.
 */
final class WholeReplies {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private WholeReplies() {}

    /** True when a tool call is scripted and the request offers tools (every flavor names them {@code tools}). */
    static boolean wantsTool(Script script, JsonNode request) {
        return script.toolCall().isPresent()
                && request.path("tools").isArray()
                && !request.path("tools").isEmpty();
    }

    static ObjectNode chat(ProviderFlavor flavor, JsonNode request, Script script) {
        boolean tool = wantsTool(script, request);
        String model = request.path("model").asString("deployment");
        ObjectNode out = JSON.createObjectNode();
        switch (flavor) {
            case OPENAI, AZURE -> {
                out.put("id", "chatcmpl-test");
                out.put("object", "chat.completion");
                out.put("created", 1_700_000_000L);
                out.put("model", model);
                ObjectNode choice = out.putArray("choices").addObject();
                choice.put("index", 0);
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                if (tool) {
                    message.putNull("content");
                    ObjectNode call = message.putArray("tool_calls").addObject();
                    call.put("id", "call_test_1");
                    call.put("type", "function");
                    call.putObject("function")
                            .put("name", script.toolCall().get()[0])
                            .put("arguments", script.toolCall().get()[1]);
                    choice.put("finish_reason", "tool_calls");
                } else {
                    message.put("content", script.replyText());
                    choice.put("finish_reason", "stop");
                }
                if (!script.omitUsage()) {
                    out.putObject("usage")
                            .put("prompt_tokens", AiProviderServer.PROMPT_TOKENS)
                            .put("completion_tokens", AiProviderServer.COMPLETION_TOKENS)
                            .put("total_tokens", AiProviderServer.PROMPT_TOKENS + AiProviderServer.COMPLETION_TOKENS);
                }
            }
            case ANTHROPIC -> {
                out.put("id", "msg_test");
                out.put("type", "message");
                out.put("role", "assistant");
                out.put("model", model);
                ArrayNode content = out.putArray("content");
                if (tool) {
                    ObjectNode use = content.addObject();
                    use.put("type", "tool_use");
                    use.put("id", "toolu_test_1");
                    use.put("name", script.toolCall().get()[0]);
                    use.set("input", JSON.readTree(script.toolCall().get()[1]));
                    out.put("stop_reason", "tool_use");
                } else {
                    content.addObject().put("type", "text").put("text", script.replyText());
                    out.put("stop_reason", "end_turn");
                }
                out.putNull("stop_sequence");
                if (!script.omitUsage()) {
                    out.putObject("usage")
                            .put("input_tokens", AiProviderServer.PROMPT_TOKENS)
                            .put("output_tokens", AiProviderServer.COMPLETION_TOKENS);
                }
            }
            case GEMINI -> {
                ObjectNode candidate = out.putArray("candidates").addObject();
                ObjectNode content = candidate.putObject("content");
                content.put("role", "model");
                ArrayNode parts = content.putArray("parts");
                if (tool) {
                    parts.addObject()
                            .putObject("functionCall")
                            .put("name", script.toolCall().get()[0])
                            .set("args", JSON.readTree(script.toolCall().get()[1]));
                } else {
                    parts.addObject().put("text", script.replyText());
                }
                candidate.put("finishReason", "STOP");
                candidate.put("index", 0);
                if (!script.omitUsage()) {
                    out.putObject("usageMetadata")
                            .put("promptTokenCount", AiProviderServer.PROMPT_TOKENS)
                            .put("candidatesTokenCount", AiProviderServer.COMPLETION_TOKENS)
                            .put(
                                    "totalTokenCount",
                                    AiProviderServer.PROMPT_TOKENS + AiProviderServer.COMPLETION_TOKENS);
                }
                out.put("modelVersion", "gemini-test");
            }
            case OLLAMA -> {
                out.put("model", model);
                out.put("created_at", "2026-01-01T00:00:00Z");
                ObjectNode message = out.putObject("message");
                message.put("role", "assistant");
                if (tool) {
                    message.put("content", "");
                    message.putArray("tool_calls")
                            .addObject()
                            .putObject("function")
                            .put("name", script.toolCall().get()[0])
                            .set("arguments", JSON.readTree(script.toolCall().get()[1]));
                } else {
                    message.put("content", script.replyText());
                }
                out.put("done", true);
                out.put("done_reason", "stop");
                if (!script.omitUsage()) {
                    out.put("prompt_eval_count", AiProviderServer.PROMPT_TOKENS);
                    out.put("eval_count", AiProviderServer.COMPLETION_TOKENS);
                }
            }
        }
        return out;
    }

    static ObjectNode embeddings(ProviderFlavor flavor, JsonNode request) {
        int n = switch (flavor) {
            case GEMINI -> request.path("requests").size();
            default -> request.path("input").isArray() ? request.path("input").size() : 1;
        };
        ObjectNode out = JSON.createObjectNode();
        switch (flavor) {
            case GEMINI -> {
                ArrayNode list = out.putArray("embeddings");
                for (int i = 0; i < n; i++) {
                    list.addObject().set("values", vector(i));
                }
            }
            case OLLAMA -> {
                out.put("model", request.path("model").asString(""));
                ArrayNode list = out.putArray("embeddings");
                for (int i = 0; i < n; i++) {
                    list.add(vector(i));
                }
                out.put("prompt_eval_count", AiProviderServer.PROMPT_TOKENS);
            }
            default -> {
                out.put("object", "list");
                ArrayNode data = out.putArray("data");
                for (int i = 0; i < n; i++) {
                    data.addObject().put("object", "embedding").put("index", i).set("embedding", vector(i));
                }
                out.put("model", request.path("model").asString("deployment"));
                out.putObject("usage")
                        .put("prompt_tokens", AiProviderServer.PROMPT_TOKENS)
                        .put("total_tokens", AiProviderServer.PROMPT_TOKENS);
            }
        }
        return out;
    }

    private static ArrayNode vector(int i) {
        ArrayNode v = JSON.createArrayNode();
        v.add(0.1 * (i + 1)).add(-0.2).add(0.3);
        return v;
    }

    static ObjectNode error(ProviderFlavor flavor, int status, String message) {
        ObjectNode out = JSON.createObjectNode();
        switch (flavor) {
            case ANTHROPIC -> {
                out.put("type", "error");
                out.putObject("error")
                        .put(
                                "type",
                                status == 429
                                        ? "rate_limit_error"
                                        : status >= 500 ? "api_error" : "invalid_request_error")
                        .put("message", message);
            }
            case GEMINI ->
                out.putObject("error")
                        .put("code", status)
                        .put("message", message)
                        .put("status", status == 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL");
            case OLLAMA -> out.put("error", message);
            default ->
                out.putObject("error")
                        .put("message", message)
                        .put("type", status == 429 ? "rate_limit_exceeded" : "server_error")
                        .putNull("param")
                        .putNull("code");
        }
        return out;
    }

    static String json(JsonNode node) {
        return JSON.writeValueAsString(node);
    }
}
