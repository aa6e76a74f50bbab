package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;

/**
 * The immutable request a plugin sees in the request phase.
 *
 * @param method   the request method
 * @param path     the decoded path without query ({@code $uri}), or, after a rewrite such as proxy-rewrite in
 *                 post-req, the encoded {@code $upstream_uri} path; bytes that are not UTF-8 are replaced by U+FFFD
 * @param args     decoded query arguments
 * @param headers  request headers (lower-case names; {@code host} is APISIX's {@code $upstream_host})
 * @param sourceIp the client address ({@code $binary_remote_addr}), absent if APISIX sent none
 * @param vars     the variables the chain declared in {@link Requirements#vars()}; a variable APISIX had no value
 *                 for is absent from the map
 * @param body     the request body when the chain declared {@link Requirements#requestBody()}; empty when APISIX had
 *                 none or it was not requested
 */
public record RequestView(
        HttpMethod method,
        String path,
        QueryArgs args,
        Headers headers,
        Optional<InetAddress> sourceIp,
        Map<String, String> vars,
        Optional<Body> body) {

    public RequestView {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        requireNonNull(args, "args");
        requireNonNull(headers, "headers");
        requireNonNull(sourceIp, "sourceIp");
        vars = Map.copyOf(vars);
        requireNonNull(body, "body");
    }

    public Optional<String> var(String name) {
        return Optional.ofNullable(vars.get(name));
    }

    public Optional<String> header(String name) {
        return headers.first(name);
    }

    public static Builder builder(HttpMethod method, String path) {
        return new Builder(method, path);
    }

    /** For tests and for the runner's own rewrites. */
    public Builder toBuilder() {
        return new Builder(method, path)
                .args(args)
                .headers(headers)
                .sourceIp(sourceIp.orElse(null))
                .vars(vars)
                .body(body.orElse(null));
    }

    /** Builds a {@link RequestView}. */
    public static final class Builder {
        private HttpMethod method;
        private String path;
        private QueryArgs args = QueryArgs.EMPTY;
        private Headers headers = Headers.EMPTY;
        private InetAddress sourceIp;
        private Map<String, String> vars = Map.of();
        private Body body;

        private Builder(HttpMethod method, String path) {
            this.method = method;
            this.path = path;
        }

        public Builder method(HttpMethod method) {
            this.method = method;
            return this;
        }

        public Builder path(String path) {
            this.path = path;
            return this;
        }

        public Builder args(QueryArgs args) {
            this.args = args;
            return this;
        }

        public Builder headers(Headers headers) {
            this.headers = headers;
            return this;
        }

        public Builder sourceIp(InetAddress sourceIp) {
            this.sourceIp = sourceIp;
            return this;
        }

        public Builder vars(Map<String, String> vars) {
            this.vars = vars;
            return this;
        }

        public Builder body(Body body) {
            this.body = body;
            return this;
        }

        public RequestView build() {
            return new RequestView(
                    method, path, args, headers, Optional.ofNullable(sourceIp), vars, Optional.ofNullable(body));
        }
    }
}
