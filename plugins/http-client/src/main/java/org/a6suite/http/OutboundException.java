package org.a6suite.http;

import static java.util.Objects.requireNonNull;

/**
 * The one failure type of {@link OutboundClient}: a {@link Kind} to branch on and a message that says what happened
 * and where, e.g. {@code connection reset by 127.0.0.1:8080 before any response}. Messages never carry header values
 * (they may hold API keys) and never consist of a bare exception class name.
 */
public final class OutboundException extends RuntimeException {

    /** What went wrong, in the order a call can meet them. */
    public enum Kind {
        /** No free connection to the origin within the connect timeout ({@code maxConnectionsPerOrigin} reached). */
        POOL_ACQUIRE_TIMEOUT,
        /** The TCP connection could not be opened (refused, unreachable, unknown host). */
        CONNECT_FAILED,
        /** TCP connect or TLS handshake did not finish within the connect timeout. */
        CONNECT_TIMEOUT,
        /** The TLS handshake failed (untrusted certificate, host name mismatch, protocol error). */
        TLS_FAILED,
        /** The connection closed or was reset before a complete response head arrived. */
        CONNECTION_CLOSED_BEFORE_RESPONSE,
        /** No complete response head within the request's response-head timeout. */
        RESPONSE_HEAD_TIMEOUT,
        /** The response's status line and headers exceed {@code maxResponseHeadBytes}. */
        RESPONSE_HEAD_TOO_LARGE,
        /** The server answered with something that is not HTTP/1.x. */
        INVALID_RESPONSE,
        /** No body bytes arrived for the request's read-idle timeout while the reader was waiting for them. */
        READ_IDLE_TIMEOUT,
        /** {@link OutboundResponse#aggregate(int)} met more bytes than its cap. */
        BODY_TOO_LARGE,
        /** The connection closed before the end of the response body. */
        TRUNCATED_BODY,
        /** The caller cancelled the send future or the body subscription. */
        CANCELLED,
        /** The client was closed while the call was in flight. */
        CLIENT_CLOSED
    }

    private final Kind kind;

    public OutboundException(Kind kind, String message) {
        this(kind, message, null);
    }

    public OutboundException(Kind kind, String message, Throwable cause) {
        super(requireNonNull(message, "message"), cause);
        this.kind = requireNonNull(kind, "kind");
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }
}
