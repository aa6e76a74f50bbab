package org.a6suite.http;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A response whose head has arrived and whose body is still on the wire. The body must be consumed, by
 * {@link #body()} or {@link #aggregate(int)}, or given up with {@link #abort()}: until then the connection stays
 * taken and unread bytes wait in the server's socket.
 */
public interface OutboundResponse {

    /** The status code, 100 to 599. */
    int status();

    /** The response headers. */
    OutboundHeaders headers();

    /**
     * The body as buffers, each a fresh copy of what one socket read brought, over a whole array nobody else holds
     * ({@code hasArray()}, offset 0, the array's full length): a subscriber may keep a buffer, or keep its
     * {@code array()} without copying it again.
     * One subscriber only; a second one gets {@code onError(IllegalStateException)}.
     *
     * <p>Backpressure is real: the client reads from the socket only while the subscriber has unmet demand, so a
     * subscriber that stops requesting stops the server (its send buffer fills). Cancelling the subscription before
     * {@code onComplete} closes the connection, which the server sees at once. Failures arrive as
     * {@link OutboundException} ({@code TRUNCATED_BODY}, {@code READ_IDLE_TIMEOUT}, {@code CLIENT_CLOSED}).
     *
     * <p>Signals arrive on the client's event-loop thread: {@code onNext} must not block.
     */
    Flow.Publisher<ByteBuffer> body();

    /**
     * Reads the whole body into one array. Fails with {@link OutboundException.Kind#BODY_TOO_LARGE} (and closes the
     * connection) as soon as the declared {@code Content-Length} or the bytes received exceed {@code maxBytes}.
     * Subscribes to {@link #body()}, so it cannot be combined with another subscriber.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    CompletableFuture<byte[]> aggregate(int maxBytes);

    /** Gives up the body: closes the connection unless the body was already read to its end. Idempotent. */
    void abort();
}
