package org.a6suite.ai.internal;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import tools.jackson.databind.JsonNode;

/**
 * Token estimates with a real BPE tokenizer (jtokkit, {@code o200k_base}, the encoding of OpenAI's current models),
 * used when a provider reports no usage. Other providers' tokenizers differ, so such counts are marked estimated.
 */
public final class Tokens {

    /** OpenAI's documented per-message overhead of the chat format. */
    private static final int PER_MESSAGE = 3;

    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private Tokens() {}

    /** Loads the encoding's tables (a few hundred milliseconds) so the first call does not pay for it. */
    public static void warmUp() {
        count("warm up");
    }

    public static int count(String text) {
        return text == null || text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
    }

    /** Estimated prompt tokens of an OpenAI chat request (message texts, tool-call arguments, format overhead). */
    public static long prompt(JsonNode request) {
        long total = 3;
        for (JsonNode m : request.path("messages")) {
            total += PER_MESSAGE + count(org.a6suite.ai.internal.provider.Wire.text(m.get("content")));
            for (JsonNode call : m.path("tool_calls")) {
                total += count(call.path("function").path("arguments").asString(""));
            }
        }
        if (request.path("tools").isArray()) {
            total += count(request.path("tools").toString());
        }
        return total;
    }

    /** Estimated completion tokens of an OpenAI chat.completion. */
    public static long completion(JsonNode completion) {
        long total = 0;
        for (JsonNode choice : completion.path("choices")) {
            JsonNode message = choice.path("message");
            total += count(message.path("content").asString(""));
            for (JsonNode call : message.path("tool_calls")) {
                total += count(call.path("function").path("name").asString(""))
                        + count(call.path("function").path("arguments").asString(""));
            }
        }
        return total;
    }
}
