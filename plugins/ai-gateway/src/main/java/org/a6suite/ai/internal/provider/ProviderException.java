package org.a6suite.ai.internal.provider;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.RetryAfterAware;

/**
 * A provider call that failed in a way the provider told us about (an error status, a body we cannot read, a stream
 * cut short). The message is ours and safe to log; {@link #providerMessage()} is the provider's own text, shown to
 * the client only for requests the provider rejected as invalid.
 */
public final class ProviderException extends RuntimeException implements RetryAfterAware {

    private static final long serialVersionUID = 1L;

    /** What went wrong; decides retry, fallback and the breaker. */
    public enum Kind {
        /** 429: retried after Retry-After, then the next target. */
        RATE_LIMITED("rate_limited"),
        /** 5xx, 408, 409: retried, then the next target. */
        SERVER_ERROR("server_error"),
        /** 401, 403: the key is wrong or lacks access; next target, no retry. */
        AUTH("auth_error"),
        /** Other 4xx: the request itself is wrong; answered to the client, no retry or fallback. */
        CLIENT_ERROR("invalid_request"),
        /** 2xx with a body we could not read. */
        MALFORMED("malformed_response"),
        /** A stream that ended before its final event. */
        TRUNCATED_STREAM("truncated_stream"),
        /** The target's credential reference could not be resolved. */
        CREDENTIALS_UNAVAILABLE("credentials_unavailable"),
        /** The target cannot serve this kind of request (e.g. embeddings on Anthropic). */
        UNSUPPORTED("unsupported");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The short label used in attempt lists, call logs and metrics. */
        public String label() {
            return label;
        }
    }

    private final Kind kind;
    private final Optional<Integer> status;
    private final Optional<Duration> retryAfter;
    private final String providerMessage;

    public ProviderException(
            Kind kind, Optional<Integer> status, Optional<Duration> retryAfter, String providerMessage) {
        super(
                requireNonNull(kind, "kind").label()
                        + status.map(s -> " (HTTP " + s + ")").orElse(""),
                null,
                false,
                false);
        this.kind = kind;
        this.status = requireNonNull(status, "status");
        this.retryAfter = requireNonNull(retryAfter, "retryAfter");
        this.providerMessage = requireNonNull(providerMessage, "providerMessage");
    }

    public static ProviderException of(Kind kind, String providerMessage) {
        return new ProviderException(kind, Optional.empty(), Optional.empty(), providerMessage);
    }

    public Kind kind() {
        return kind;
    }

    public Optional<Integer> status() {
        return status;
    }

    @Override
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    public String providerMessage() {
        return providerMessage;
    }

    /** How retry, breaker and fallback treat this failure. */
    public Outcome outcome() {
        return switch (kind) {
            case RATE_LIMITED, SERVER_ERROR, MALFORMED, TRUNCATED_STREAM ->
                retryAfter.map(Outcome::retryableAfter).orElseGet(Outcome::retryable);
            case AUTH, CREDENTIALS_UNAVAILABLE -> Outcome.failure();
            case CLIENT_ERROR, UNSUPPORTED -> Outcome.ignored();
        };
    }
}
