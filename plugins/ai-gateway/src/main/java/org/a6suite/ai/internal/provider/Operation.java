package org.a6suite.ai.internal.provider;

/** The OpenAI endpoints the gateway serves. */
public enum Operation {
    CHAT("chat"),
    EMBEDDINGS("embeddings");

    private final String label;

    Operation(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
