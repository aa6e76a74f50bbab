package org.a6suite.ai.internal.provider;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
 * Anthropic's Messages API ({@code POST /v1/messages}, {@code x-api-key}, {@code anthropic-version: 2023-06-01}).
 * System messages become the top-level {@code system}; tool results become {@code tool_result} blocks in a user turn;
 * consecutive turns of one role are merged, as the API requires alternation. Anthropic has no JSON mode: a
 * {@code response_format} asking for JSON adds an instruction to the system prompt. No embeddings API.
 */
public final class AnthropicAdapter implements ProviderAdapter {

    static final String VERSION = "2023-06-01";
    /** Anthropic requires max_tokens; used when the client sets none. */
    static final int DEFAULT_MAX_TOKENS = 4096;

    @Override
    public ProviderRequest chatRequest(Target target, ObjectNode request, Optional<String> apiKey, boolean stream) {
        Map<String, String> headers = new LinkedHashMap<>();
        apiKey.ifPresent(key -> headers.put("x-api-key", key));
        headers.put("anthropic-version", VERSION);
        headers.put("content-type", "application/json");
        if (stream) {
            headers.put("accept", "text/event-stream");
        }
        return new ProviderRequest(
                URI.create(target.endpoint() + "/v1/messages"),
                headers,
                Wire.bytes(mapRequest(target, request, stream)));
    }

    @Override
    public StreamTranslator translator(Target target) {
        return new AnthropicStreamTranslator(target.model());
    }

    @Override
    public boolean streams() {
        return true;
    }

    ObjectNode mapRequest(Target target, ObjectNode request, boolean stream) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", target.model());
        body.put("max_tokens", Wire.maxTokens(request).orElse(DEFAULT_MAX_TOKENS));
        StringBuilder system = new StringBuilder();
        ArrayNode messages = body.putArray("messages");
        for (JsonNode m : request.path("messages")) {
            String role = m.path("role").asString("");
            switch (role) {
                case "system", "developer" -> {
                    if (!system.isEmpty()) {
                        system.append("\n\n");
                    }
                    system.append(Wire.text(m.get("content")));
                }
                case "tool" -> {
                    ObjectNode block = Json.MAPPER.createObjectNode();
                    block.put("type", "tool_result");
                    block.put("tool_use_id", m.path("tool_call_id").asString(""));
                    block.put("content", Wire.text(m.get("content")));
                    append(messages, "user", block);
                }
                case "assistant" -> {
                    String text = Wire.text(m.get("content"));
                    if (!text.isEmpty()) {
                        ObjectNode block = Json.MAPPER.createObjectNode();
                        block.put("type", "text");
                        block.put("text", text);
                        append(messages, "assistant", block);
                    }
                    for (JsonNode call : m.path("tool_calls")) {
                        ObjectNode block = Json.MAPPER.createObjectNode();
                        block.put("type", "tool_use");
                        block.put("id", call.path("id").asString(""));
                        block.put("name", call.path("function").path("name").asString(""));
                        block.set("input", Wire.arguments(call.path("function").get("arguments")));
                        append(messages, "assistant", block);
                    }
                }
                default -> userContent(messages, m.get("content"));
            }
        }
        JsonNode format = request.path("response_format");
        String formatType = format.path("type").asString("");
        if (formatType.equals("json_object") || formatType.equals("json_schema")) {
            if (!system.isEmpty()) {
                system.append("\n\n");
            }
            system.append("Respond with one JSON object only, no prose and no code fences.");
            JsonNode schema = format.path("json_schema").path("schema");
            if (schema.isObject()) {
                system.append(" It must conform to this JSON Schema: ").append(schema);
            }
        }
        if (!system.isEmpty()) {
            body.put("system", system.toString());
        }
        copyNumber(request, body, "temperature", "temperature");
        copyNumber(request, body, "top_p", "top_p");
        var stops = Wire.stops(request);
        if (!stops.isEmpty()) {
            ArrayNode seq = body.putArray("stop_sequences");
            stops.forEach(seq::add);
        }
        if (request.path("tools").isArray() && !request.path("tools").isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (JsonNode tool : request.path("tools")) {
                JsonNode fn = tool.path("function");
                ObjectNode t = tools.addObject();
                t.put("name", fn.path("name").asString(""));
                if (fn.path("description").isString()) {
                    t.put("description", fn.path("description").asString());
                }
                t.set(
                        "input_schema",
                        fn.path("parameters").isObject()
                                ? fn.get("parameters")
                                : Json.MAPPER.createObjectNode().put("type", "object"));
            }
            JsonNode choice = request.get("tool_choice");
            if (choice != null && choice.isString()) {
                switch (choice.asString()) {
                    case "required" -> body.putObject("tool_choice").put("type", "any");
                    case "none" -> body.putObject("tool_choice").put("type", "none");
                    default -> body.putObject("tool_choice").put("type", "auto");
                }
            } else if (choice != null && choice.isObject()) {
                ObjectNode c = body.putObject("tool_choice");
                c.put("type", "tool");
                c.put("name", choice.path("function").path("name").asString(""));
            }
        }
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    private static void userContent(ArrayNode messages, JsonNode content) {
        if (content == null || content.isString() || content.isNull()) {
            ObjectNode block = Json.MAPPER.createObjectNode();
            block.put("type", "text");
            block.put("text", content == null || content.isNull() ? "" : content.asString());
            append(messages, "user", block);
            return;
        }
        for (JsonNode part : content) {
            String type = part.path("type").asString("");
            ObjectNode block = Json.MAPPER.createObjectNode();
            if (type.equals("image_url")) {
                String url = part.path("image_url").path("url").asString("");
                block.put("type", "image");
                ObjectNode source = block.putObject("source");
                Optional<Wire.DataUrl> data = Wire.DataUrl.parse(url);
                if (data.isPresent()) {
                    source.put("type", "base64");
                    source.put("media_type", data.get().mediaType());
                    source.put("data", data.get().base64());
                } else {
                    source.put("type", "url");
                    source.put("url", url);
                }
            } else {
                block.put("type", "text");
                block.put("text", part.path("text").asString(""));
            }
            append(messages, "user", block);
        }
    }

    /** Adds a block to the last message if it has {@code role}, else starts a new message. */
    private static void append(ArrayNode messages, String role, ObjectNode block) {
        if (!messages.isEmpty()) {
            JsonNode last = messages.get(messages.size() - 1);
            if (role.equals(last.path("role").asString())) {
                ((ArrayNode) last.get("content")).add(block);
                return;
            }
        }
        ObjectNode message = messages.addObject();
        message.put("role", role);
        message.putArray("content").add(block);
    }

    private static void copyNumber(ObjectNode from, ObjectNode to, String name, String as) {
        JsonNode v = from.get(name);
        if (v != null && v.isNumber()) {
            to.set(as, v);
        }
    }

    static String finishReason(String stopReason) {
        return switch (stopReason == null ? "" : stopReason) {
            case "max_tokens" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    @Override
    public ObjectNode parseChat(Target target, byte[] body, boolean streamed) {
        if (streamed) {
            return collectStream(target, body);
        }
        ObjectNode message = Wire.object(body);
        if (!message.path("content").isArray() || !message.has("stop_reason")) {
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
        StringBuilder text = new StringBuilder();
        ArrayNode calls = Json.MAPPER.createArrayNode();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asString("")) {
                case "text" -> text.append(block.path("text").asString(""));
                case "tool_use" ->
                    calls.add(Wire.toolCall(
                            block.path("id").asString(""),
                            block.path("name").asString(""),
                            Json.MAPPER.writeValueAsString(block.path("input"))));
                default -> {}
            }
        }
        JsonNode u = message.path("usage");
        Optional<Usage> usage = u.isObject()
                ? Optional.of(new Usage(inputTokens(u), u.path("output_tokens").asLong(0), false))
                : Optional.empty();
        return Wire.completion(
                message.path("id").asString(""),
                message.path("model").asString(target.model()),
                text.toString(),
                calls,
                finishReason(message.path("stop_reason").asString(null)),
                usage);
    }

    private static long inputTokens(JsonNode usage) {
        return usage.path("input_tokens").asLong(0)
                + usage.path("cache_creation_input_tokens").asLong(0)
                + usage.path("cache_read_input_tokens").asLong(0);
    }

    /** Rebuilds the message from its events; without {@code message_stop} the stream was cut short. */
    private ObjectNode collectStream(Target target, byte[] body) {
        String id = "";
        String model = target.model();
        long input = 0;
        long output = 0;
        boolean usageSeen = false;
        String stopReason = null;
        boolean stopped = false;
        StringBuilder text = new StringBuilder();
        Map<Integer, String[]> tools = new TreeMap<>();
        for (SseEvent event : SseDecoder.decodeAll(body)) {
            JsonNode data;
            try {
                data = Json.MAPPER.readTree(event.data());
            } catch (JacksonException e) {
                throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
            }
            String type = data.path("type").asString(event.type());
            switch (type) {
                case "message_start" -> {
                    JsonNode m = data.path("message");
                    id = m.path("id").asString("");
                    model = m.path("model").asString(model);
                    if (m.path("usage").isObject()) {
                        input = inputTokens(m.path("usage"));
                        output = m.path("usage").path("output_tokens").asLong(0);
                        usageSeen = true;
                    }
                }
                case "content_block_start" -> {
                    JsonNode block = data.path("content_block");
                    if (block.path("type").asString("").equals("tool_use")) {
                        tools.put(data.path("index").asInt(), new String[] {
                            block.path("id").asString(""), block.path("name").asString(""), ""
                        });
                    } else if (block.path("text").isString()) {
                        text.append(block.path("text").asString());
                    }
                }
                case "content_block_delta" -> {
                    JsonNode delta = data.path("delta");
                    switch (delta.path("type").asString("")) {
                        case "text_delta" -> text.append(delta.path("text").asString(""));
                        case "input_json_delta" -> {
                            String[] acc = tools.get(data.path("index").asInt());
                            if (acc != null) {
                                acc[2] += delta.path("partial_json").asString("");
                            }
                        }
                        default -> {}
                    }
                }
                case "message_delta" -> {
                    if (data.path("delta").path("stop_reason").isString()) {
                        stopReason = data.path("delta").path("stop_reason").asString();
                    }
                    if (data.path("usage").has("output_tokens")) {
                        output = data.path("usage").path("output_tokens").asLong();
                        usageSeen = true;
                    }
                }
                case "message_stop" -> stopped = true;
                case "error" -> {
                    String errorType = data.path("error").path("type").asString("");
                    ProviderException.Kind kind = errorType.equals("invalid_request_error")
                            ? ProviderException.Kind.CLIENT_ERROR
                            : errorType.equals("rate_limit_error")
                                    ? ProviderException.Kind.RATE_LIMITED
                                    : ProviderException.Kind.SERVER_ERROR;
                    throw new ProviderException(
                            kind,
                            Optional.empty(),
                            Optional.empty(),
                            Wire.providerMessage(event.data().getBytes(StandardCharsets.UTF_8)));
                }
                default -> {}
            }
        }
        if (!stopped) {
            throw ProviderException.of(ProviderException.Kind.TRUNCATED_STREAM, "");
        }
        ArrayNode calls = Json.MAPPER.createArrayNode();
        tools.values().forEach(t -> calls.add(Wire.toolCall(t[0], t[1], t[2].isEmpty() ? "{}" : t[2])));
        return Wire.completion(
                id,
                model,
                text.toString(),
                calls,
                finishReason(stopReason),
                usageSeen ? Optional.of(new Usage(input, output, false)) : Optional.empty());
    }

    @Override
    public boolean supportsEmbeddings() {
        return false;
    }

    @Override
    public ProviderRequest embeddingsRequest(Target target, ObjectNode request, Optional<String> apiKey) {
        throw ProviderException.of(ProviderException.Kind.UNSUPPORTED, "");
    }

    @Override
    public ObjectNode parseEmbeddings(Target target, byte[] body) {
        throw ProviderException.of(ProviderException.Kind.UNSUPPORTED, "");
    }
}
