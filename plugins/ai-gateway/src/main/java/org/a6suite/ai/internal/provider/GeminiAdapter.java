package org.a6suite.ai.internal.provider;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Google Gemini's {@code generateContent} ({@code POST /v1beta/models/{model}:generateContent},
 * {@code x-goog-api-key}) and {@code batchEmbedContents}. The assistant role is {@code model}; system messages go to
 * {@code systemInstruction}; tool calls are {@code functionCall} / {@code functionResponse} parts; JSON output is
 * {@code generationConfig.responseMimeType = application/json}. In invoke mode streams are not requested: the whole
 * answer is fetched and, if the client asked for a stream, re-chunked by the gateway; in lane mode streams come from
 * {@code :streamGenerateContent?alt=sse} ({@link #streamRequest}).
 */
public final class GeminiAdapter implements ProviderAdapter {

    private static String modelPath(Target target, String method) {
        return target.endpoint() + "/v1beta/models/" + URLEncoder.encode(target.model(), StandardCharsets.UTF_8) + ":"
                + method;
    }

    private static Map<String, String> headers(Optional<String> apiKey) {
        Map<String, String> headers = new LinkedHashMap<>();
        apiKey.ifPresent(key -> headers.put("x-goog-api-key", key));
        headers.put("content-type", "application/json");
        return headers;
    }

    @Override
    public ProviderRequest chatRequest(Target target, ObjectNode request, Optional<String> apiKey, boolean stream) {
        return new ProviderRequest(
                URI.create(modelPath(target, "generateContent")), headers(apiKey), Wire.bytes(mapRequest(request)));
    }

    /** {@code :streamGenerateContent?alt=sse}: the same body, answered as server-sent events. */
    @Override
    public ProviderRequest streamRequest(Target target, ObjectNode request, Optional<String> apiKey) {
        Map<String, String> headers = headers(apiKey);
        headers.put("accept", "text/event-stream");
        return new ProviderRequest(
                URI.create(modelPath(target, "streamGenerateContent") + "?alt=sse"),
                headers,
                Wire.bytes(mapRequest(request)));
    }

    @Override
    public StreamTranslator translator(Target target) {
        return new GeminiStreamTranslator(target.model());
    }

    ObjectNode mapRequest(ObjectNode request) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode contents = body.putArray("contents");
        StringBuilder system = new StringBuilder();
        Map<String, String> toolNames = new HashMap<>();
        for (JsonNode m : request.path("messages")) {
            String role = m.path("role").asString("");
            switch (role) {
                case "system", "developer" -> {
                    if (!system.isEmpty()) {
                        system.append("\n\n");
                    }
                    system.append(Wire.text(m.get("content")));
                }
                case "assistant" -> {
                    ArrayNode parts = Json.MAPPER.createArrayNode();
                    String text = Wire.text(m.get("content"));
                    if (!text.isEmpty()) {
                        parts.addObject().put("text", text);
                    }
                    for (JsonNode call : m.path("tool_calls")) {
                        String name = call.path("function").path("name").asString("");
                        toolNames.put(call.path("id").asString(""), name);
                        ObjectNode fc = parts.addObject().putObject("functionCall");
                        fc.put("name", name);
                        fc.set("args", Wire.arguments(call.path("function").get("arguments")));
                    }
                    append(contents, "model", parts);
                }
                case "tool" -> {
                    ArrayNode parts = Json.MAPPER.createArrayNode();
                    ObjectNode fr = parts.addObject().putObject("functionResponse");
                    fr.put(
                            "name",
                            toolNames.getOrDefault(
                                    m.path("tool_call_id").asString(""),
                                    m.path("name").asString("")));
                    fr.putObject("response").put("content", Wire.text(m.get("content")));
                    append(contents, "user", parts);
                }
                default -> append(contents, "user", userParts(m.get("content")));
            }
        }
        if (!system.isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", system.toString());
        }
        ObjectNode generation = Json.MAPPER.createObjectNode();
        if (request.path("temperature").isNumber()) {
            generation.set("temperature", request.get("temperature"));
        }
        if (request.path("top_p").isNumber()) {
            generation.set("topP", request.get("top_p"));
        }
        Wire.maxTokens(request).ifPresent(max -> generation.put("maxOutputTokens", max));
        var stops = Wire.stops(request);
        if (!stops.isEmpty()) {
            ArrayNode seq = generation.putArray("stopSequences");
            stops.forEach(seq::add);
        }
        String formatType = request.path("response_format").path("type").asString("");
        if (formatType.equals("json_object") || formatType.equals("json_schema")) {
            generation.put("responseMimeType", "application/json");
            JsonNode schema =
                    request.path("response_format").path("json_schema").path("schema");
            if (schema.isObject()) {
                generation.set("responseJsonSchema", schema);
            }
        }
        if (!generation.isEmpty()) {
            body.set("generationConfig", generation);
        }
        if (request.path("tools").isArray() && !request.path("tools").isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            for (JsonNode tool : request.path("tools")) {
                JsonNode fn = tool.path("function");
                ObjectNode d = declarations.addObject();
                d.put("name", fn.path("name").asString(""));
                if (fn.path("description").isString()) {
                    d.put("description", fn.path("description").asString());
                }
                if (fn.path("parameters").isObject()) {
                    d.set("parameters", fn.get("parameters"));
                }
            }
            JsonNode choice = request.get("tool_choice");
            if (choice != null) {
                ObjectNode config = body.putObject("toolConfig").putObject("functionCallingConfig");
                if (choice.isObject()) {
                    config.put("mode", "ANY");
                    config.putArray("allowedFunctionNames")
                            .add(choice.path("function").path("name").asString(""));
                } else {
                    config.put(
                            "mode",
                            switch (choice.asString("auto")) {
                                case "required" -> "ANY";
                                case "none" -> "NONE";
                                default -> "AUTO";
                            });
                }
            }
        }
        return body;
    }

    private static ArrayNode userParts(JsonNode content) {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        if (content == null || !content.isArray()) {
            parts.addObject().put("text", content == null || content.isNull() ? "" : content.asString(""));
            return parts;
        }
        for (JsonNode part : content) {
            if (part.path("type").asString("").equals("image_url")) {
                String url = part.path("image_url").path("url").asString("");
                Optional<Wire.DataUrl> data = Wire.DataUrl.parse(url);
                if (data.isPresent()) {
                    ObjectNode inline = parts.addObject().putObject("inlineData");
                    inline.put("mimeType", data.get().mediaType());
                    inline.put("data", data.get().base64());
                } else {
                    ObjectNode file = parts.addObject().putObject("fileData");
                    file.put("mimeType", Wire.mediaTypeOf(url));
                    file.put("fileUri", url);
                }
            } else {
                parts.addObject().put("text", part.path("text").asString(""));
            }
        }
        return parts;
    }

    private static void append(ArrayNode contents, String role, ArrayNode parts) {
        if (!contents.isEmpty()
                && role.equals(contents.get(contents.size() - 1).path("role").asString())) {
            ((ArrayNode) contents.get(contents.size() - 1).get("parts")).addAll(parts);
            return;
        }
        ObjectNode c = contents.addObject();
        c.put("role", role);
        c.set("parts", parts);
    }

    @Override
    public ObjectNode parseChat(Target target, byte[] body, boolean streamed) {
        ObjectNode response = Wire.object(body);
        JsonNode candidates = response.path("candidates");
        JsonNode u = response.path("usageMetadata");
        Optional<Usage> usage = u.isObject() && u.has("promptTokenCount")
                ? Optional.of(new Usage(
                        u.path("promptTokenCount").asLong(0),
                        u.path("candidatesTokenCount").asLong(0)
                                + u.path("thoughtsTokenCount").asLong(0),
                        false))
                : Optional.empty();
        String model = response.path("modelVersion").asString(target.model());
        if (!candidates.isArray() || candidates.isEmpty()) {
            if (response.path("promptFeedback").has("blockReason")) {
                return Wire.completion("", model, "", null, "content_filter", usage);
            }
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
        JsonNode candidate = candidates.get(0);
        StringBuilder text = new StringBuilder();
        ArrayNode calls = Json.MAPPER.createArrayNode();
        int n = 0;
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (part.path("thought").asBoolean(false)) {
                continue;
            }
            if (part.path("text").isString()) {
                text.append(part.path("text").asString());
            } else if (part.has("functionCall")) {
                JsonNode fc = part.path("functionCall");
                String id = fc.path("id").asString("call_" + n);
                calls.add(Wire.toolCall(
                        id,
                        fc.path("name").asString(""),
                        Json.MAPPER.writeValueAsString(
                                fc.path("args").isObject() ? fc.get("args") : Json.MAPPER.createObjectNode())));
                n++;
            }
        }
        String finish = switch (candidate.path("finishReason").asString("STOP")) {
            case "MAX_TOKENS" -> "length";
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" -> "content_filter";
            default -> calls.isEmpty() ? "stop" : "tool_calls";
        };
        return Wire.completion(response.path("responseId").asString(""), model, text.toString(), calls, finish, usage);
    }

    @Override
    public ProviderRequest embeddingsRequest(Target target, ObjectNode request, Optional<String> apiKey) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode requests = body.putArray("requests");
        for (String input : EmbeddingInputs.of(request)) {
            ObjectNode r = requests.addObject();
            r.put("model", "models/" + target.model());
            r.putObject("content").putArray("parts").addObject().put("text", input);
            if (request.path("dimensions").isIntegralNumber()) {
                r.put("outputDimensionality", request.path("dimensions").asInt());
            }
        }
        return new ProviderRequest(
                URI.create(modelPath(target, "batchEmbedContents")), headers(apiKey), Wire.bytes(body));
    }

    @Override
    public ObjectNode parseEmbeddings(Target target, byte[] body) {
        ObjectNode response = Wire.object(body);
        JsonNode embeddings = response.path("embeddings");
        if (!embeddings.isArray()) {
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
        ArrayNode vectors = Json.MAPPER.createArrayNode();
        for (JsonNode e : embeddings) {
            vectors.add(e.path("values"));
        }
        return EmbeddingInputs.list(target.model(), vectors);
    }
}
