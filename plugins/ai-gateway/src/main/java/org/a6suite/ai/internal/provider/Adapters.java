package org.a6suite.ai.internal.provider;

import java.util.EnumMap;
import java.util.Map;
import org.a6suite.ai.AiGatewayConfig.ProviderType;

/** The adapter for each provider type. */
public final class Adapters {

    private static final ProviderAdapter ANTHROPIC = new AnthropicAdapter();
    private static final ProviderAdapter GEMINI = new GeminiAdapter();
    private static final ProviderAdapter OLLAMA = new OllamaAdapter();
    /** The OpenAI-shaped adapters, one per type: stateless, so one per call would only be garbage. */
    private static final Map<ProviderType, ProviderAdapter> OPENAI_SHAPED = new EnumMap<>(ProviderType.class);

    static {
        for (ProviderType type : ProviderType.values()) {
            if (type.openAiShaped()) {
                OPENAI_SHAPED.put(type, new OpenAiAdapter(type));
            }
        }
    }

    private Adapters() {}

    public static ProviderAdapter of(ProviderType type) {
        return switch (type) {
            case ANTHROPIC -> ANTHROPIC;
            case GEMINI -> GEMINI;
            case OLLAMA -> OLLAMA;
            case OPENAI, AZURE_OPENAI, MISTRAL, DEEPSEEK, OPENAI_COMPATIBLE -> OPENAI_SHAPED.get(type);
        };
    }
}
