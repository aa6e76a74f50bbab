package org.a6suite.ai.internal.provider;

import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Target;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates between OpenAI's formats (what clients speak) and one provider's wire format. Adapters are stateless
 * and only translate: no I/O, no time.
 *
 * <p>Chat requests arrive as OpenAI {@code chat/completions} bodies and results leave as OpenAI
 * {@code chat.completion} objects, with {@code usage} when the provider reported it. Embeddings likewise use OpenAI's
 * {@code embeddings} request and {@code list} response.
 */
public interface ProviderAdapter {

    /**
     * Builds the provider request.
     *
     * @param request the client's body, already validated; not modified
     * @param apiKey  the resolved credential, if the target has one
     * @param stream  whether to ask the provider for a stream (the adapter may ignore it when the provider's stream
     *                adds nothing; {@link #parseChat} is told which was sent)
     */
    ProviderRequest chatRequest(Target target, ObjectNode request, Optional<String> apiKey, boolean stream);

    /**
     * {@link #chatRequest(Target, ObjectNode, Optional, boolean)} from the validated body in either form; adapters
     * that can write the provider body from the client's bytes override this, the others read its tree.
     */
    default ProviderRequest chatRequest(Target target, ClientBody request, Optional<String> apiKey, boolean stream) {
        return chatRequest(target, request.tree(), apiKey, stream);
    }

    /** Whether {@link #chatRequest} really asks for a stream when {@code stream} is true. */
    default boolean streams() {
        return false;
    }

    /**
     * Reads a 2xx body into an OpenAI {@code chat.completion}.
     *
     * @throws ProviderException {@link ProviderException.Kind#MALFORMED} for an unreadable body,
     *                           {@link ProviderException.Kind#TRUNCATED_STREAM} for a stream without its final event
     */
    ObjectNode parseChat(Target target, byte[] body, boolean streamed);

    /**
     * Reads a 2xx body of a whole (not streamed) chat answer straight into the client's answer, when this adapter
     * can do that in one pass ({@link OpenAiAnswer}); {@code null} means "use {@link #parseChat}" (no such path here,
     * or a body only the tree path may judge). What it returns must equal what the tree path gives.
     */
    default EncodedChat encodeChat(Target target, byte[] body) {
        return null;
    }

    /**
     * Builds the request of a chat stream relayed as it arrives (lane mode): the provider's streaming endpoint, with
     * usage asked for where the provider needs asking.
     */
    default ProviderRequest streamRequest(Target target, ObjectNode request, Optional<String> apiKey) {
        return chatRequest(target, request, apiKey, true);
    }

    /** A new translator for one stream answering {@link #streamRequest}. */
    StreamTranslator translator(Target target);

    /** Whether the provider has an embeddings API. */
    default boolean supportsEmbeddings() {
        return true;
    }

    ProviderRequest embeddingsRequest(Target target, ObjectNode request, Optional<String> apiKey);

    ObjectNode parseEmbeddings(Target target, byte[] body);

    /** Reads the usage of a translated result; empty if the provider gave none. */
    default Optional<Usage> usage(ObjectNode openAiResult) {
        var usage = openAiResult.get("usage");
        if (usage == null || !usage.isObject() || !usage.has("prompt_tokens")) {
            return Optional.empty();
        }
        return Optional.of(new Usage(
                usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0),
                false));
    }
}
