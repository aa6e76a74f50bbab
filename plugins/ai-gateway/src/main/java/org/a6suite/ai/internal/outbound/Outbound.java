package org.a6suite.ai.internal.outbound;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.a6suite.ai.internal.provider.ProviderRequest;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundHeaders;
import org.a6suite.http.OutboundRequest;
import org.a6suite.resilience.Deadline;

/**
 * Translation between the project's outbound client ({@code a6-http-client}) and what the gateway's resilience
 * decorators and attempt records understand: the client's typed failures become the JDK's I/O exception types
 * (connection errors and timeouts are retryable and labelled as such), its headers the JDK's {@link HttpHeaders}.
 */
public final class Outbound {

    /** Longer than any deadline this plugin sets: "no limit of the client's own". */
    public static final Duration UNBOUNDED = Duration.ofDays(2);

    private Outbound() {}

    /** A POST of {@code request} with the given head and read-idle limits ({@link Deadline#INFINITE} = none). */
    public static OutboundRequest post(ProviderRequest request, Duration headTimeout, Duration readIdleTimeout) {
        // The body array is the request's own (adapters build it per call and nobody changes it after): handed over
        // without the copy; the headers go as the adapter built them, prebuilt per target where it could.
        return OutboundRequest.builder("POST", request.uri())
                .headers(request.wireHeaders())
                .body(ByteBuffer.wrap(request.body()))
                .responseHeadTimeout(bounded(headTimeout))
                .readIdleTimeout(bounded(readIdleTimeout))
                .build();
    }

    private static Duration bounded(Duration timeout) {
        if (timeout.compareTo(UNBOUNDED) > 0) {
            return UNBOUNDED;
        }
        return timeout.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : timeout;
    }

    public static HttpHeaders headers(OutboundHeaders headers) {
        return HttpHeaders.of(headers.map(), (name, value) -> true);
    }

    /**
     * The exception the decorators classify: connection failures and resets are {@link IOException}s (retryable),
     * timeouts {@link HttpTimeoutException}s, a cancelled exchange a {@link CancellationException}. The client's
     * message (what happened, where; never header values) is kept.
     */
    public static Throwable translate(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof OutboundException oe)) {
            return cause;
        }
        return switch (oe.kind()) {
            case CONNECT_FAILED -> withCause(new ConnectException(oe.getMessage()), oe);
            case CONNECT_TIMEOUT -> withCause(new HttpConnectTimeoutException(oe.getMessage()), oe);
            case RESPONSE_HEAD_TIMEOUT, READ_IDLE_TIMEOUT, POOL_ACQUIRE_TIMEOUT ->
                withCause(new HttpTimeoutException(oe.getMessage()), oe);
            case CANCELLED -> withCause(new CancellationException(oe.getMessage()), oe);
            default -> new IOException(oe.getMessage(), oe);
        };
    }

    private static <T extends Throwable> T withCause(T error, Throwable cause) {
        error.initCause(cause);
        return error;
    }
}
