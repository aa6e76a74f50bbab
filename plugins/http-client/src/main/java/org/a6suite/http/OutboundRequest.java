package org.a6suite.http;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One immutable HTTP/1.1 request: method, absolute {@code http}/{@code https} URI, headers, a body held in memory,
 * and the two timeouts that bound the wait for the server.
 *
 * <p>Hop-by-hop headers ({@code Connection}, {@code Keep-Alive}, {@code Upgrade}, {@code Transfer-Encoding},
 * {@code TE}, {@code Content-Length}, {@code Proxy-Connection}) are rejected: the client owns the connection, sets
 * {@code Host} and {@code Content-Length} itself and never asks for a protocol upgrade (no {@code h2c}).
 */
public final class OutboundRequest {

    /** Default wait for the response head after the request started going out: 60 s. */
    public static final Duration DEFAULT_RESPONSE_HEAD_TIMEOUT = Duration.ofSeconds(60);
    /** Default longest gap between body reads while the reader waits for bytes: 60 s. */
    public static final Duration DEFAULT_READ_IDLE_TIMEOUT = Duration.ofSeconds(60);

    /** RFC 9110 section 9.2.2: a second copy of one of these has the same effect on the server as the first. */
    private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "keep-alive",
            "upgrade",
            "transfer-encoding",
            "te",
            "content-length",
            "proxy-connection",
            "http2-settings");
    private static final ByteBuffer NO_BODY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final String method;
    private final URI uri;
    private final OutboundHeaders headers;
    private final ByteBuffer body;
    private final Duration responseHeadTimeout;
    private final Duration readIdleTimeout;
    private final boolean idempotent;

    private OutboundRequest(Builder b) {
        this.method = b.method;
        this.uri = b.uri;
        this.headers = b.buildHeaders();
        this.body = b.body;
        this.responseHeadTimeout = b.responseHeadTimeout;
        this.readIdleTimeout = b.readIdleTimeout;
        this.idempotent = b.idempotent.orElse(IDEMPOTENT_METHODS.contains(method));
    }

    /** A request builder; {@code method} is upper-cased ({@code "post"} becomes {@code POST}). */
    public static Builder builder(String method, URI uri) {
        return new Builder(method, uri);
    }

    /** A builder holding everything of this request, to derive another (e.g. with the time left as timeout). */
    public Builder toBuilder() {
        Builder b = new Builder(method, uri);
        b.headers(headers);
        b.body = body;
        b.responseHeadTimeout = responseHeadTimeout;
        b.readIdleTimeout = readIdleTimeout;
        b.idempotent = Optional.of(idempotent);
        return b;
    }

    /** A {@code GET} of {@code uri} with default timeouts. */
    public static OutboundRequest get(URI uri) {
        return builder("GET", uri).build();
    }

    public String method() {
        return method;
    }

    public URI uri() {
        return uri;
    }

    public OutboundHeaders headers() {
        return headers;
    }

    /** The body as a read-only buffer (a fresh view each call); empty when there is none. */
    public ByteBuffer body() {
        return body.duplicate();
    }

    public Duration responseHeadTimeout() {
        return responseHeadTimeout;
    }

    public Duration readIdleTimeout() {
        return readIdleTimeout;
    }

    /**
     * Whether sending this request twice is harmless: decides whether it may be retried after its connection closed
     * with no response (see {@link OutboundClient}). Defaults to true for GET, HEAD, OPTIONS, TRACE, PUT and DELETE.
     */
    public boolean idempotent() {
        return idempotent;
    }

    /** Method and URI without query: enough to say which call failed, without leaking query-string secrets. */
    @Override
    public String toString() {
        return method + " " + uri.getScheme() + "://" + uri.getRawAuthority()
                + Optional.ofNullable(uri.getRawPath()).orElse("");
    }

    /** Builds an {@link OutboundRequest}; every setter checks its argument at once. */
    public static final class Builder {
        private final String method;
        private final URI uri;
        private final OutboundHeaders.Builder headers = OutboundHeaders.builder();
        /** Headers given whole to an empty builder, used as they are unless more are added. */
        private OutboundHeaders whole;

        private boolean headersAdded;
        private ByteBuffer body = NO_BODY;
        private Duration responseHeadTimeout = DEFAULT_RESPONSE_HEAD_TIMEOUT;
        private Duration readIdleTimeout = DEFAULT_READ_IDLE_TIMEOUT;
        private Optional<Boolean> idempotent = Optional.empty();

        private Builder(String method, URI uri) {
            this.method = checkMethod(method);
            this.uri = checkUri(uri);
        }

        /** Adds a header value (earlier values of the same name stay). */
        public Builder header(String name, String value) {
            checkNotHopByHop(name);
            adoptWhole();
            headers.add(name, value);
            return this;
        }

        /**
         * Adds every header of {@code all}. Given to a builder without headers, {@code all} (immutable) is kept as it
         * is instead of being copied: a caller that prebuilds its headers once pays nothing per request for them.
         */
        public Builder headers(OutboundHeaders all) {
            all.names().forEach(OutboundRequest::checkNotHopByHop);
            if (whole == null && !headersAdded) {
                whole = all;
            } else {
                adoptWhole();
                headers.addAll(all);
            }
            return this;
        }

        /** Headers kept whole from {@link #headers(OutboundHeaders)} become the builder's before anything is added. */
        private void adoptWhole() {
            if (whole != null) {
                headers.addAll(whole);
                whole = null;
            }
            headersAdded = true;
        }

        private OutboundHeaders buildHeaders() {
            return whole != null ? whole : headers.build();
        }

        /** The body; copied, so later changes to the array do not reach the request. */
        public Builder body(byte[] bytes) {
            this.body = ByteBuffer.wrap(requireNonNull(bytes, "bytes").clone()).asReadOnlyBuffer();
            return this;
        }

        /**
         * The body's remaining bytes, not copied: the caller hands them over and must not change them afterwards
         * (a caller that built the array for this request alone saves a copy per request).
         */
        public Builder body(ByteBuffer bytes) {
            this.body = requireNonNull(bytes, "bytes").slice().asReadOnlyBuffer();
            return this;
        }

        /** Wait for the response head, measured from when the request starts going out. Default 60 s. */
        public Builder responseHeadTimeout(Duration timeout) {
            this.responseHeadTimeout = checkPositive("responseHeadTimeout", timeout);
            return this;
        }

        /**
         * Longest gap between body reads while the body's reader has asked for bytes; time the reader spends not
         * asking does not count. Default 60 s.
         */
        public Builder readIdleTimeout(Duration timeout) {
            this.readIdleTimeout = checkPositive("readIdleTimeout", timeout);
            return this;
        }

        /** Overrides the method's default idempotency, e.g. true for a POST carrying an idempotency key. */
        public Builder idempotent(boolean value) {
            this.idempotent = Optional.of(value);
            return this;
        }

        public OutboundRequest build() {
            return new OutboundRequest(this);
        }
    }

    private static String checkMethod(String method) {
        String upper = requireNonNull(method, "method").toUpperCase(Locale.ROOT);
        if (upper.isEmpty() || !upper.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new IllegalArgumentException("method: \"" + method + "\" (expected: an HTTP method such as POST)");
        }
        if (upper.equals("CONNECT")) {
            throw new IllegalArgumentException(
                    "method: CONNECT (expected: a method other than CONNECT; " + "this client does not open tunnels)");
        }
        return upper;
    }

    private static URI checkUri(URI uri) {
        requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(
                    "uri: scheme " + (scheme.isEmpty() ? "missing" : scheme) + " (expected: http or https)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("uri: " + uri.getScheme() + "://" + uri.getRawAuthority()
                    + " has no host (expected: an absolute URI with a host name or address)");
        }
        if (uri.getRawUserInfo() != null) {
            // Credentials in a URI end up in logs; the caller sends them as an Authorization header instead.
            throw new IllegalArgumentException("uri: contains user info (expected: credentials in a header)");
        }
        return uri;
    }

    private static String checkNotHopByHop(String name) {
        if (HOP_BY_HOP.contains(requireNonNull(name, "name").toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("headers: " + name
                    + " (expected: no hop-by-hop header; the client manages connection and framing headers)");
        }
        return name;
    }

    private static Duration checkPositive(String name, Duration value) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }
}
