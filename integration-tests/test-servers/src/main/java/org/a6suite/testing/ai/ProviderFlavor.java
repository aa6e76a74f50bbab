package org.a6suite.testing.ai;

import java.util.Map;

/** TEST FIXTURE. The wire format a request was made in, told by its path; each names its credential header. */
enum ProviderFlavor {
    OPENAI,
    AZURE,
    ANTHROPIC,
    GEMINI,
    OLLAMA;

    /** The key the request presented in this flavor's credential header ({@code headers} in lower case). */
    String presentedKey(Map<String, String> headers) {
        return switch (this) {
            case OPENAI, OLLAMA -> headers.getOrDefault("authorization", "").replaceFirst("^Bearer ", "");
            case AZURE -> headers.getOrDefault("api-key", "");
            case ANTHROPIC -> headers.getOrDefault("x-api-key", "");
            case GEMINI -> headers.getOrDefault("x-goog-api-key", "");
        };
    }
}
