package org.a6suite.ai.internal.provider;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Ollama's native API ({@code POST /api/chat} with {@code stream: false}, or {@code true} on the lane, {@code POST /api/embed}). Sampling goes in
 * {@code options} ({@code temperature}, {@code top_p}, {@code num_predict}, {@code stop}); JSON mode is
 * {@code format: "json"} or a schema; images are base64 strings in a message's {@code images} (data URLs only); tool
 * arguments are objects, not strings. An optional bearer credential is sent for Ollama behind an authenticating proxy.
 */
public final class OllamaAdapter implements ProviderAdapter {

    private static Map<String, String> headers(Optional<String> apiKey) {
        Map<String, String> headers = new LinkedHashMap<>();
        apiKey.ifPresent(key -> headers.put("authorization", "Bearer " + key));
        headers.put("content-type", "application/json");
        return headers;
    }

    @Override
    public ProviderRequest chatRequest(Target target, ObjectNode request, Optional<String> apiKey, boolean stream) {
        return new ProviderRequest(
                URI.create(target.endpoint() + "/api/chat"), headers(apiKey), Wire.bytes(mapRequest(target, request)));
    }

    /** {@code /api/chat} with {@code stream: true}: newline-delimited JSON. */
    @Override
    public ProviderRequest streamRequest(Target target, ObjectNode request, Optional<String> apiKey) {
        ObjectNode body = mapRequest(target, request);
        body.put("stream", true);
        return new ProviderRequest(URI.create(target.endpoint() + "/api/chat"), headers(apiKey), Wire.bytes(body));
    }

    @Override
    public StreamTranslator translator(Target target) {
        return new OllamaStreamTranslator(target.model());
    }

    ObjectNode mapRequest(Target target, ObjectNode request) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", target.model());
        body.put("stream", false);
        ArrayNode messages = body.putArray("messages");
        for (JsonNode m : request.path("messages")) {
            ObjectNode out = messages.addObject();
            String role = m.path("role").asString("user");
            out.put("role", role.equals("developer") ? "system" : role);
            out.put("content", Wire.text(m.get("content")));
            if (m.path("content").isArray()) {
                ArrayNode images = Json.MAPPER.createArrayNode();
                for (JsonNode part : m.path("content")) {
                    if (part.path("type").asString("").equals("image_url")) {
                        String url = part.path("image_url").path("url").asString("");
                        Wire.DataUrl data = Wire.DataUrl.parse(url)
                                .orElseThrow(() -> ProviderException.of(
                                        ProviderException.Kind.CLIENT_ERROR,
                                        "ollama accepts images as data URLs only"));
                        images.add(data.base64());
                    }
                }
                if (!images.isEmpty()) {
                    out.set("images", images);
                }
            }
            if (m.path("tool_calls").isArray()) {
                ArrayNode calls = out.putArray("tool_calls");
                for (JsonNode call : m.path("tool_calls")) {
                    ObjectNode fn = calls.addObject().putObject("function");
                    fn.put("name", call.path("function").path("name").asString(""));
                    fn.set("arguments", Wire.arguments(call.path("function").get("arguments")));
                }
            }
            if (role.equals("tool") && m.path("name").isString()) {
                out.put("tool_name", m.path("name").asString());
            }
        }
        ObjectNode options = Json.MAPPER.createObjectNode();
        if (request.path("temperature").isNumber()) {
            options.set("temperature", request.get("temperature"));
        }
        if (request.path("top_p").isNumber()) {
            options.set("top_p", request.get("top_p"));
        }
        if (request.path("seed").isIntegralNumber()) {
            options.set("seed", request.get("seed"));
        }
        Wire.maxTokens(request).ifPresent(max -> options.put("num_predict", max));
        var stops = Wire.stops(request);
        if (!stops.isEmpty()) {
            ArrayNode seq = options.putArray("stop");
            stops.forEach(seq::add);
        }
        if (!options.isEmpty()) {
            body.set("options", options);
        }
        JsonNode format = request.path("response_format");
        switch (format.path("type").asString("")) {
            case "json_object" -> body.put("format", "json");
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").path("schema");
                if (schema.isObject()) {
                    body.set("format", schema);
                } else {
                    body.put("format", "json");
                }
            }
            default -> {}
        }
        if (request.path("tools").isArray() && !request.path("tools").isEmpty()) {
            body.set("tools", request.get("tools"));
        }
        return body;
    }

    @Override
    public ObjectNode parseChat(Target target, byte[] body, boolean streamed) {
        ObjectNode response = Wire.object(body);
        JsonNode message = response.path("message");
        if (!message.isObject() || !response.path("done").asBoolean(false)) {
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
        ArrayNode calls = Json.MAPPER.createArrayNode();
        int n = 0;
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode fn = call.path("function");
            calls.add(Wire.toolCall(
                    call.path("id").asString("call_" + n),
                    fn.path("name").asString(""),
                    fn.path("arguments").isString()
                            ? fn.path("arguments").asString()
                            : Json.MAPPER.writeValueAsString(fn.path("arguments"))));
            n++;
        }
        String finish = !calls.isEmpty()
                ? "tool_calls"
                : "length".equals(response.path("done_reason").asString("")) ? "length" : "stop";
        Optional<Usage> usage = response.has("prompt_eval_count") || response.has("eval_count")
                ? Optional.of(new Usage(
                        response.path("prompt_eval_count").asLong(0),
                        response.path("eval_count").asLong(0),
                        false))
                : Optional.empty();
        return Wire.completion(
                "",
                response.path("model").asString(target.model()),
                message.path("content").asString(""),
                calls,
                finish,
                usage);
    }

    @Override
    public ProviderRequest embeddingsRequest(Target target, ObjectNode request, Optional<String> apiKey) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", target.model());
        ArrayNode input = body.putArray("input");
        EmbeddingInputs.of(request).forEach(input::add);
        return new ProviderRequest(URI.create(target.endpoint() + "/api/embed"), headers(apiKey), Wire.bytes(body));
    }

    @Override
    public ObjectNode parseEmbeddings(Target target, byte[] body) {
        ObjectNode response = Wire.object(body);
        if (!response.path("embeddings").isArray()) {
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
        ObjectNode out = EmbeddingInputs.list(
                response.path("model").asString(target.model()), (ArrayNode) response.get("embeddings"));
        if (response.has("prompt_eval_count")) {
            Wire.putUsage(out, new Usage(response.path("prompt_eval_count").asLong(), 0, false));
        }
        return out;
    }
}
