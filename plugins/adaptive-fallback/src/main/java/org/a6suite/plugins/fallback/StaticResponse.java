package org.a6suite.plugins.fallback;

import static java.util.Objects.requireNonNull;

import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;

/**
 * The configured static fallback answer.
 *
 * @param status      the status sent; default 200, range 100..599
 * @param headers     extra response headers (never {@code content-length}; {@code content-type} comes from
 *                    {@code contentType})
 * @param body        the body; may be empty (then it cannot replace an upstream body in post-resp, see the docs)
 * @param contentType the {@code content-type}; default {@code application/json}
 */
public record StaticResponse(int status, Headers headers, Body body, String contentType) {

    public StaticResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 100..599)");
        }
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
        requireNonNull(contentType, "contentType");
    }
}
