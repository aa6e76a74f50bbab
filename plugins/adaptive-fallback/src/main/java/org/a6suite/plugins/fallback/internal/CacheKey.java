package org.a6suite.plugins.fallback.internal;

import java.util.List;
import java.util.Optional;

/** A fallback cache key: method, path, and the configured args and headers in configuration order. */
public record CacheKey(String method, String path, List<Optional<String>> args, List<Optional<String>> headers) {

    public CacheKey {
        args = List.copyOf(args);
        headers = List.copyOf(headers);
    }

    /** Only method and path: values of keyed headers may be credentials and must not reach logs. */
    @Override
    public String toString() {
        return "CacheKey[" + method + " " + path + ", " + args.size() + " args, " + headers.size() + " headers]";
    }
}
