package org.a6suite.ai.internal.provider;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.Target;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI's Chat Completions and Embeddings formats, and the providers that speak them: Azure OpenAI (deployment in
 * the path, {@code api-version} query, {@code api-key} header), Mistral, DeepSeek and any OpenAI-compatible server
 * such as vLLM. Streams are requested with usage ({@code stream_options.include_usage}) where the provider accepts it,
 * collected whole, and must end with {@code data: [DONE]}. The adapter holds the paths and headers; the request body is
 * {@link OpenAiChatBody}'s, a collected stream is rebuilt by {@link OpenAiStreamCollector}.
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

    @Override
    public ProviderRequest chatRequest(Target target, ObjectNode request, Optional<String> apiKey, boolean stream) {
        PrebuiltHeaders.Entry headers = PrebuiltHeaders.chat(target, apiKey, stream);
        return new ProviderRequest(
                CHAT_URIS.get(target), headers.map(), OpenAiChatBody.chatBody(target, request, stream), headers.wire());
    }

    @Override
    public ProviderRequest chatRequest(Target target, ClientBody request, Optional<String> apiKey, boolean stream) {
        PrebuiltHeaders.Entry headers = PrebuiltHeaders.chat(target, apiKey, stream);
        return new ProviderRequest(
                CHAT_URIS.get(target), headers.map(), OpenAiChatBody.chatBody(target, request, stream), headers.wire());
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
            return OpenAiStreamCollector.collect(target, body);
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
