package org.a6suite.ai.internal.provider;

/**
 * Tokens of one call. {@code estimated} is true when the provider reported no usage and the numbers were counted
 * with a tokenizer instead.
 */
public record Usage(long input, long output, boolean estimated) {

    public static final Usage NONE = new Usage(0, 0, false);

    public long total() {
        return input + output;
    }
}
