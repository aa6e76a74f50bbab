package org.a6suite.ai.internal.provider;

import org.a6suite.ai.AiGatewayConfig.ProviderType;

/** The adapter for each provider type. */
public final class Adapters {

    private static final ProviderAdapter ANTHROPIC = new AnthropicAdapter();
    private static final ProviderAdapter GEMINI = new GeminiAdapter();
    private static final ProviderAdapter OLLAMA = new OllamaAdapter();

    private Adapters() {}

    public static ProviderAdapter of(ProviderType type) {
        return switch (type) {
            case ANTHROPIC -> ANTHROPIC;
            case GEMINI -> GEMINI;
            case OLLAMA -> OLLAMA;
            case OPENAI, AZURE_OPENAI, MISTRAL, DEEPSEEK, OPENAI_COMPATIBLE -> new OpenAiAdapter(type);
        };
    }
}
