package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;

/** What a plugin decided for an upstream response ({@code ext-plugin-post-resp}). */
public sealed interface ResponseDecision {

    static Pass pass() {
        return Pass.INSTANCE;
    }

    static Modify.Builder modify() {
        return new Modify.Builder();
    }

    /** The upstream response goes to the client as APISIX received it. */
    enum Pass implements ResponseDecision {
        INSTANCE
    }

    /**
     * Change the response. APISIX semantics: {@code headers}, when present and non-empty, replace the whole set of
     * response headers (so include {@code content-type}); a present body is sent with {@code status} (or the upstream
     * status); otherwise the status is applied and the upstream body streamed.
     */
    record Modify(OptionalInt status, Optional<Headers> headers, Optional<Body> body) implements ResponseDecision {
        public Modify {
            requireNonNull(status, "status");
            status.ifPresent(s -> {
                if (s < 100 || s > 599) {
                    throw new IllegalArgumentException("status: " + s + " (expected: 100..599)");
                }
            });
            requireNonNull(headers, "headers");
            requireNonNull(body, "body");
        }

        /** Builds a {@link Modify}. */
        public static final class Builder {
            private OptionalInt status = OptionalInt.empty();
            private Headers headers;
            private Body body;

            private Builder() {}

            public Builder status(int status) {
                this.status = OptionalInt.of(status);
                return this;
            }

            /** Replaces every response header. */
            public Builder headers(Headers headers) {
                this.headers = requireNonNull(headers, "headers");
                return this;
            }

            public Builder body(Body body) {
                this.body = requireNonNull(body, "body");
                return this;
            }

            public Modify build() {
                return new Modify(status, Optional.ofNullable(headers), Optional.ofNullable(body));
            }
        }
    }
}
