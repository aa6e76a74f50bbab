package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a plugin decided for a request. In a chain, {@link Proceed} and {@link Rewrite} pass the request on to the
 * next plugin (which sees it rewritten), and the first {@link Stop} ends the chain.
 */
public sealed interface RequestDecision {

    /** Leave the request as it is. */
    static Proceed proceed() {
        return Proceed.INSTANCE;
    }

    /** Answer the client directly; APISIX does not call the upstream. */
    static Stop.Builder stop(int status) {
        return new Stop.Builder(status);
    }

    /** Change the request before APISIX proxies it. */
    static Rewrite.Builder rewrite() {
        return new Rewrite.Builder();
    }

    /** The request goes on unchanged. */
    enum Proceed implements RequestDecision {
        INSTANCE
    }

    /**
     * Answer the client with {@code status}, {@code headers} and {@code body}. APISIX answers
     * {@code text/plain; charset=utf-8} unless a {@code content-type} header is set here.
     */
    record Stop(int status, Headers headers, Optional<Body> body) implements RequestDecision {
        public Stop {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status: " + status + " (expected: 100..599)");
            }
            requireNonNull(headers, "headers");
            requireNonNull(body, "body");
        }

        /** Builds a {@link Stop}. */
        public static final class Builder {
            private final int status;
            private final List<Headers.Header> headers = new ArrayList<>();
            private Body body;

            private Builder(int status) {
                this.status = status;
            }

            public Builder header(String name, String value) {
                headers.add(new Headers.Header(name, value));
                return this;
            }

            public Builder body(Body body) {
                this.body = body;
                return this;
            }

            public Builder body(String text) {
                return body(Body.wrap(text.getBytes(StandardCharsets.UTF_8)));
            }

            /** A JSON body with {@code content-type: application/json}. */
            public Builder json(String json) {
                header("content-type", "application/json");
                return body(json);
            }

            public Stop build() {
                return new Stop(status, Headers.of(headers), Optional.ofNullable(body));
            }
        }
    }

    /**
     * Changes APISIX applies before proxying.
     *
     * @param path            a new decoded path (APISIX encodes it; a {@code ?} in it becomes {@code %3F})
     * @param headers         request header edits: a value replaces every value of the name, an empty value deletes
     * @param args            query edits: the first entry per name replaces, later ones append, an empty value deletes
     * @param responseHeaders headers added to the client's response (first set, then add; APISIX ignores
     *                        connection, content-length, content-type, location, server and a few more)
     * @param body            a new request body (APISIX 3.6+; older versions ignore it)
     * @param lane            whether the runner stamps a handoff header so that the request, proxied by APISIX to
     *                        the runner's HTTP lane (the route's upstream), reaches this plugin's
     *                        {@link org.a6suite.plugin.Plugin#onLane onLane}
     */
    record Rewrite(
            Optional<String> path,
            List<HeaderEdit> headers,
            List<ArgEdit> args,
            List<Headers.Header> responseHeaders,
            Optional<Body> body,
            boolean lane)
            implements RequestDecision {
        public Rewrite {
            requireNonNull(path, "path");
            headers = List.copyOf(headers);
            args = List.copyOf(args);
            responseHeaders = List.copyOf(responseHeaders);
            requireNonNull(body, "body");
        }

        /** A rewrite without a lane handoff. */
        public Rewrite(
                Optional<String> path,
                List<HeaderEdit> headers,
                List<ArgEdit> args,
                List<Headers.Header> responseHeaders,
                Optional<Body> body) {
            this(path, headers, args, responseHeaders, body, false);
        }

        /** Set ({@code value} present) or delete ({@code value} empty) a request header. */
        public record HeaderEdit(String name, Optional<String> value) {
            public HeaderEdit {
                requireNonNull(name, "name");
                requireNonNull(value, "value");
            }
        }

        /** Set ({@code value} present) or delete ({@code value} empty) a query argument. */
        public record ArgEdit(String name, Optional<String> value) {
            public ArgEdit {
                requireNonNull(name, "name");
                requireNonNull(value, "value");
            }
        }

        /** Builds a {@link Rewrite}. */
        public static final class Builder {
            private String path;
            private final List<HeaderEdit> headers = new ArrayList<>();
            private final List<ArgEdit> args = new ArrayList<>();
            private final List<Headers.Header> responseHeaders = new ArrayList<>();
            private Body body;
            private boolean lane;

            private Builder() {}

            /**
             * Hands the request to this plugin's {@link org.a6suite.plugin.Plugin#onLane onLane}: the runner adds a
             * signed, short-lived handoff header that only its HTTP lane accepts. The route's upstream must be the
             * lane (see the runner's documentation); a request without a valid handoff gets 403 there.
             */
            public Builder toLane() {
                this.lane = true;
                return this;
            }

            public Builder path(String path) {
                this.path = requireNonNull(path, "path");
                return this;
            }

            public Builder setHeader(String name, String value) {
                headers.add(new HeaderEdit(name, Optional.of(value)));
                return this;
            }

            public Builder removeHeader(String name) {
                headers.add(new HeaderEdit(name, Optional.empty()));
                return this;
            }

            public Builder setArg(String name, String value) {
                args.add(new ArgEdit(name, Optional.of(value)));
                return this;
            }

            public Builder removeArg(String name) {
                args.add(new ArgEdit(name, Optional.empty()));
                return this;
            }

            public Builder addResponseHeader(String name, String value) {
                responseHeaders.add(new Headers.Header(name, value));
                return this;
            }

            public Builder body(Body body) {
                this.body = requireNonNull(body, "body");
                return this;
            }

            public Rewrite build() {
                return new Rewrite(
                        Optional.ofNullable(path), headers, args, responseHeaders, Optional.ofNullable(body), lane);
            }
        }
    }
}
