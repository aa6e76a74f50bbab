package org.a6suite.http.internal;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundException.Kind;

/** Turns transport exceptions into {@link OutboundException}s whose message says what happened and where. */
final class Failures {

    private Failures() {}

    static OutboundException connect(Origin origin, Throwable cause, Duration connectTimeout) {
        if (cause instanceof OutboundException e) {
            return e;
        }
        if (cause instanceof ConnectTimeoutException) {
            return new OutboundException(
                    Kind.CONNECT_TIMEOUT,
                    "connecting to " + origin + " did not finish within " + human(connectTimeout),
                    cause);
        }
        if (cause instanceof UnknownHostException) {
            return new OutboundException(
                    Kind.CONNECT_FAILED, "unknown host " + origin.host() + " (port " + origin.port() + ")", cause);
        }
        if (cause instanceof ConnectException && lower(cause).contains("refused")) {
            return new OutboundException(Kind.CONNECT_FAILED, "connection refused by " + origin, cause);
        }
        if (cause instanceof NoRouteToHostException) {
            return new OutboundException(Kind.CONNECT_FAILED, "no route to " + origin, cause);
        }
        return new OutboundException(
                Kind.CONNECT_FAILED, "could not connect to " + origin + ": " + describe(cause), cause);
    }

    static OutboundException tls(Origin origin, Throwable cause, Duration connectTimeout) {
        if (cause instanceof SslHandshakeTimeoutException) {
            return new OutboundException(
                    Kind.CONNECT_TIMEOUT,
                    "TLS handshake with " + origin + " did not finish within " + human(connectTimeout),
                    cause);
        }
        if (cause instanceof ClosedChannelException) {
            return new OutboundException(
                    Kind.TLS_FAILED, "connection closed by " + origin + " during the TLS handshake", cause);
        }
        return new OutboundException(
                Kind.TLS_FAILED, "TLS handshake with " + origin + " failed: " + describe(cause), cause);
    }

    /** The peer closed or reset the connection, or it broke, before a complete response head. */
    static OutboundException closedBeforeResponse(Origin origin, Throwable cause, long responseBytes, String note) {
        String how = cause != null && lower(cause).contains("reset")
                ? "connection reset by " + origin
                : cause == null || cause instanceof ClosedChannelException
                        ? "connection closed by " + origin
                        : "connection to " + origin + " failed (" + describe(cause) + ")";
        String when = responseBytes == 0
                ? " before any response"
                : " after " + responseBytes + " bytes, before the end of the response head";
        return new OutboundException(Kind.CONNECTION_CLOSED_BEFORE_RESPONSE, how + when + note, cause);
    }

    static OutboundException malformedHead(Origin origin, Throwable cause, int maxHeadBytes) {
        if (cause instanceof TooLongFrameException) {
            return new OutboundException(
                    Kind.RESPONSE_HEAD_TOO_LARGE,
                    "response head from " + origin + " is larger than " + maxHeadBytes
                            + " bytes (maxResponseHeadBytes)",
                    cause);
        }
        return new OutboundException(
                Kind.INVALID_RESPONSE, "malformed response from " + origin + ": " + describe(cause), cause);
    }

    static OutboundException truncated(Origin origin, Throwable cause, long bodyBytes) {
        String how = cause != null && lower(cause).contains("reset")
                ? "connection reset by " + origin
                : "connection closed by " + origin;
        return new OutboundException(
                Kind.TRUNCATED_BODY,
                how + " after " + bodyBytes + " body bytes, before the end of the response body",
                cause);
    }

    /** A readable account of an exception: its message, or what its type means when it has none. */
    static String describe(Throwable cause) {
        if (cause == null) {
            return "no detail";
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            String type = cause.getClass().getSimpleName().replaceAll("(Exception|Error)$", "");
            return (cause instanceof IOException ? "I/O error: " : "error: ")
                    + type.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        }
        return message;
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String lower(Throwable t) {
        return String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
    }
}
