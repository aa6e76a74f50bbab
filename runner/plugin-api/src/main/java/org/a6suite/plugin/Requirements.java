package org.a6suite.plugin;

import java.util.Set;

/**
 * What a plugin needs from APISIX beyond the request line and headers. The runner asks APISIX for all of a chain's
 * needs in one pipelined write (ExtraInfo) before the chain runs.
 *
 * @param vars         nginx/APISIX variable names, e.g. {@code remote_addr}, {@code route_id}
 * @param requestBody  the whole request body (request phase; also allowed in the response phase)
 * @param responseBody the whole upstream response body (response phase only: APISIX then buffers it)
 */
public record Requirements(Set<String> vars, boolean requestBody, boolean responseBody) {

    public static final Requirements NONE = new Requirements(Set.of(), false, false);

    public Requirements {
        vars = Set.copyOf(vars);
    }

    public static Requirements vars(String... names) {
        return new Requirements(Set.of(names), false, false);
    }

    public Requirements withRequestBody() {
        return new Requirements(vars, true, responseBody);
    }

    public Requirements withResponseBody() {
        return new Requirements(vars, requestBody, true);
    }

    public Requirements withVars(String... names) {
        var all = new java.util.LinkedHashSet<>(vars);
        all.addAll(Set.of(names));
        return new Requirements(all, requestBody, responseBody);
    }

    /** The union of both, for a chain. */
    public Requirements plus(Requirements other) {
        var all = new java.util.LinkedHashSet<>(vars);
        all.addAll(other.vars);
        return new Requirements(all, requestBody || other.requestBody, responseBody || other.responseBody);
    }
}
