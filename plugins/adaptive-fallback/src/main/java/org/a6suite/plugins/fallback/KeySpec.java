package org.a6suite.plugins.fallback;

import java.util.List;

/**
 * Which request parts, besides method and path (always), make up the fallback cache key.
 *
 * @param args    query argument names (case-sensitive, first value used)
 * @param headers header names, lower-case; naming {@code authorization} or {@code cookie} here is what allows
 *                requests carrying them to be cached, each user under their own key
 */
public record KeySpec(List<String> args, List<String> headers) {

    public static final KeySpec DEFAULT = new KeySpec(List.of(), List.of());

    public KeySpec {
        args = List.copyOf(args);
        headers = List.copyOf(headers);
    }

    public boolean namesHeader(String lowerCaseName) {
        return headers.contains(lowerCaseName);
    }
}
