package org.a6suite.ai.internal.provider;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.Json;
import org.a6suite.http.codec.SseDecoder;
import org.a6suite.http.codec.SseEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI's Chat Completions and Embeddings formats, and the providers that speak them: Azure OpenAI (deployment in
 * the path, {@code api-version} query, {@code api-key} header), Mistral, DeepSeek and any OpenAI-compatible server
 * such as vLLM. Streams are requested with usage ({@code stream_options.include_usage}) where the provider accepts it,
 * collected whole, and must end with {@code data: [DONE]}.
 */
public final class OpenAiAdapter implements ProviderAdapter {

    /**
     * The chat URI of each target (weak, identity keys, as the gateway's other per-target facts): parsing it again on
     * every call was a measurable share of the request's cost.
     */
    private static final LoadingCache<Target, URI> CHAT_URIS = Caffeine.newBuilder()
            .weakKeys()
            .executor(Runnable::run)
            .build(target -> URI.create(target.endpoint() + chatPath(target)));

    /** Each target's {@code "model":"<its model>"} as JSON bytes, for provider bodies copied from the client's. */
    private static final LoadingCache<Target, byte[]> MODEL_FIELDS = Caffeine.newBuilder()
            .weakKeys()
            .executor(Runnable::run)
            .build(target -> {
                byte[] object = Json.MAPPER.writeValueAsBytes(Map.of("model", target.model()));
                return java.util.Arrays.copyOfRange(object, 1, object.length - 1);
            });

    private static final byte[] STREAM_TRUE = "\"stream\":true".getBytes(StandardCharsets.UTF_8);
    private static final byte[] STREAM_OPTIONS =
            "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.UTF_8);

    private final ProviderType type;

    public OpenAiAdapter(ProviderType type) {
        if (!type.openAiShaped()) {
            throw new IllegalArgumentException("type: " + type + " (expected: an OpenAI-shaped provider)");
        }
        this.type = type;
    }

    /** The chat path relative to the target's endpoint, with query; used by pass-through mode too. */
    public static String chatPath(Target target) {
        return path(target, "chat/completions");
    }

    public static String embeddingsPath(Target target) {
        return path(target, "embeddings");
    }

    private static String path(Target target, String operation) {
        if (target.type() == ProviderType.AZURE_OPENAI) {
            return "/openai/deployments/" + URLEncoder.encode(target.model(), StandardCharsets.UTF_8) + "/" + operation
                    + "?api-version=" + URLEncoder.encode(target.apiVersion(), StandardCharsets.UTF_8);
        }
        return "/" + operation;
    }

    /** The credential header for this provider, e.g. {@code authorization: Bearer ...} or Azure's {@code api-key}. */
    public static Map<String, String> authHeaders(Target target, Optional<String> apiKey) {
        Map<String, String> headers = new LinkedHashMap<>();
        apiKey.ifPresent(key -> {
            if (target.type() == ProviderType.AZURE_OPENAI) {
                headers.put("api-key", key);
            } else {
                headers.put("authorization", "Bearer " + key);
            }
        });
        return headers;
    }

    /** The client's body with the target's model and this provider's small differences applied. */
    public static ObjectNode mapBody(Target target, ObjectNode request, boolean stream) {
        ObjectNode body = request.deepCopy();
        body.put("model", target.model());
        ProviderType type = target.type();
        if (type == ProviderType.MISTRAL || type == ProviderType.DEEPSEEK) {
            // Neither documents max_completion_tokens; both take max_tokens.
            JsonNode max = body.remove("max_completion_tokens");
            if (max != null && !body.has("max_tokens")) {
                body.set("max_tokens", max);
            }
        }
        if (type == ProviderType.MISTRAL) {
            JsonNode seed = body.remove("seed");
            if (seed != null) {
                body.set("random_seed", seed);
            }
        }
        if (stream) {
            body.put("stream", true);
            if (type != ProviderType.MISTRAL) {
                body.putObject("stream_options").put("include_usage", true);
            } else {
                // Mistral sends usage in its last chunk unasked and rejects unknown parameters, the client's too.
                body.remove("stream_options");
            }
        } else {
            body.remove("stream");
            body.remove("stream_options");
        }
        return body;
    }

    /**
     * {@link #mapBody} written straight to bytes, without copying the client's tree, where the provider needs only
     * the model and the stream fields changed (Mistral and DeepSeek rename fields: they take {@link #mapBody}). The
     * fields come out in the order {@code mapBody}'s copy has them: the client's order, {@code model},
     * {@code stream} and {@code stream_options} in place when the client sent them, appended in that order when not.
     */
    static byte[] chatBody(Target target, ObjectNode request, boolean stream) {
        ProviderType type = target.type();
        if (type == ProviderType.MISTRAL || type == ProviderType.DEEPSEEK) {
            return Wire.bytes(mapBody(target, request, stream));
        }
        ReusedOutput out = ReusedOutput.acquire();
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            boolean model = false;
            boolean streamSet = false;
            boolean options = false;
            for (Map.Entry<String, JsonNode> field : request.properties()) {
                switch (field.getKey()) {
                    case "model" -> {
                        g.writeStringProperty("model", target.model());
                        model = true;
                    }
                    case "stream" -> {
                        if (stream) {
                            g.writeBooleanProperty("stream", true);
                            streamSet = true;
                        }
                    }
                    case "stream_options" -> {
                        if (stream) {
                            writeStreamOptions(g);
                            options = true;
                        }
                    }
                    default -> {
                        g.writeName(field.getKey());
                        g.writeTree(field.getValue());
                    }
                }
            }
            if (!model) {
                g.writeStringProperty("model", target.model());
            }
            if (stream && !streamSet) {
                g.writeBooleanProperty("stream", true);
            }
            if (stream && !options) {
                writeStreamOptions(g);
            }
            g.writeEndObject();
            g.close();
            return out.toByteArray();
        } finally {
            out.release();
        }
    }

    /**
     * {@link #chatBody(Target, ObjectNode, boolean)} from the client's bytes: every field the provider gets unchanged
     * is copied as the client sent it (no tree, no re-encoding); {@code model}, {@code stream} and
     * {@code stream_options} are replaced or dropped as there, in the same places and order. Bodies kept only as a
     * tree, and Mistral and DeepSeek, go the tree path.
     */
    static byte[] chatBody(Target target, ClientBody request, boolean stream) {
        ProviderType type = target.type();
        if (!request.raw() || type == ProviderType.MISTRAL || type == ProviderType.DEEPSEEK) {
            return chatBody(target, request.tree(), stream);
        }
        ReusedOutput out = ReusedOutput.acquire();
        try {
            out.write('{');
            boolean model = false;
            boolean streamSet = false;
            boolean options = false;
            for (int i = 0; i < request.fields(); i++) {
                switch (request.name(i)) {
                    case "model" -> {
                        separate(out);
                        out.writeBytes(MODEL_FIELDS.get(target));
                        model = true;
                    }
                    case "stream" -> {
                        if (stream) {
                            separate(out);
                            out.writeBytes(STREAM_TRUE);
                            streamSet = true;
                        }
                    }
                    case "stream_options" -> {
                        if (stream) {
                            separate(out);
                            out.writeBytes(STREAM_OPTIONS);
                            options = true;
                        }
                    }
                    default -> {
                        separate(out);
                        request.copyField(i, out);
                    }
                }
            }
            if (!model) {
                separate(out);
                out.writeBytes(MODEL_FIELDS.get(target));
            }
            if (stream && !streamSet) {
                separate(out);
                out.writeBytes(STREAM_TRUE);
            }
            if (stream && !options) {
                separate(out);
                out.writeBytes(STREAM_OPTIONS);
            }
            out.write('}');
            return out.toByteArray();
        } finally {
            out.release();
        }
    }

    /** A comma unless the object was just opened. */
    private static void separate(ReusedOutput out) {
        if (out.size() > 1) {
            out.write(',');
        }
    }

    private static void writeStreamOptions(JsonGenerator g) {
        g.writeName("stream_options");
        g.writeStartObject();
        g.writeBooleanProperty("include_usage", true);
        g.writeEndObject();
    }

    @Override
    public ProviderRequest chatRequest(Target target, ObjectNode request, Optional<String> apiKey, boolean stream) {
        PrebuiltHeaders.Entry headers = PrebuiltHeaders.chat(target, apiKey, stream);
        return new ProviderRequest(
                CHAT_URIS.get(target), headers.map(), chatBody(target, request, stream), headers.wire());
    }

    @Override
    public ProviderRequest chatRequest(Target target, ClientBody request, Optional<String> apiKey, boolean stream) {
        PrebuiltHeaders.Entry headers = PrebuiltHeaders.chat(target, apiKey, stream);
        return new ProviderRequest(
                CHAT_URIS.get(target), headers.map(), chatBody(target, request, stream), headers.wire());
    }

    @Override
    public StreamTranslator translator(Target target) {
        return new OpenAiStreamTranslator(target.model());
    }

    @Override
    public boolean streams() {
        return true;
    }

    @Override
    public ObjectNode parseChat(Target target, byte[] body, boolean streamed) {
        if (streamed) {
            return collectStream(target, body);
        }
        ObjectNode result = Wire.object(body);
        if (!result.path("choices").isArray()) {
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
        if (!result.has("model")) {
            result.put("model", target.model());
        }
        return result;
    }

    @Override
    public EncodedChat encodeChat(Target target, byte[] body) {
        return OpenAiAnswer.encode(target, body);
    }

    /** Rebuilds a whole completion from chat.completion.chunk events; a stream without [DONE] is truncated. */
    private ObjectNode collectStream(Target target, byte[] body) {
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

    @Override
    public ProviderRequest embeddingsRequest(Target target, ObjectNode request, Optional<String> apiKey) {
        Map<String, String> headers = authHeaders(target, apiKey);
        headers.put("content-type", "application/json");
        ObjectNode body = request.deepCopy();
        body.put("model", target.model());
        return new ProviderRequest(URI.create(target.endpoint() + embeddingsPath(target)), headers, Wire.bytes(body));
    }

    @Override
    public ObjectNode parseEmbeddings(Target target, byte[] body) {
        ObjectNode result = Wire.object(body);
        if (!result.path("data").isArray()) {
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
        if (!result.has("model")) {
            result.put("model", target.model());
        }
        return result;
    }

    @Override
    public String toString() {
        return "OpenAiAdapter[" + type.wireName() + "]";
    }
}
