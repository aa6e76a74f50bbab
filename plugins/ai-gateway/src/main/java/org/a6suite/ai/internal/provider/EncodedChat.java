package org.a6suite.ai.internal.provider;

import static java.util.Objects.requireNonNull;

/**
 * A whole chat answer already written in the client's format (OpenAI {@code chat.completion} JSON, usage and model
 * filled in), with the facts accounting needs read on the way, so the answer is neither held as a tree nor written
 * twice. See {@link OpenAiAnswer}.
 *
 * @param json          the answer's bytes, as the client receives them
 * @param reportedModel the model the provider named (the target's model if it named none)
 * @param usage         the provider's token counts (never estimated: an answer without them takes the tree path)
 */
public record EncodedChat(byte[] json, String reportedModel, Usage usage) {

    public EncodedChat {
        requireNonNull(json, "json");
        requireNonNull(reportedModel, "reportedModel");
        requireNonNull(usage, "usage");
    }
}
