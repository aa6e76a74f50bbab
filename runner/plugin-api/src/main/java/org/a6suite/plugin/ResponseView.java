package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * The immutable upstream response a plugin sees in the response phase ({@code ext-plugin-post-resp}). APISIX has
 * already called the upstream itself (one node, no retries) when this arrives.
 *
 * @param status  the upstream status
 * @param headers upstream headers in their original case, one entry per value
 * @param vars    the variables the chain declared
 * @param body    the upstream body when the chain declared {@link Requirements#responseBody()}
 */
public record ResponseView(int status, Headers headers, Map<String, String> vars, Optional<Body> body) {

    public ResponseView {
        requireNonNull(headers, "headers");
        vars = Map.copyOf(vars);
        requireNonNull(body, "body");
    }

    public Optional<String> var(String name) {
        return Optional.ofNullable(vars.get(name));
    }
}
