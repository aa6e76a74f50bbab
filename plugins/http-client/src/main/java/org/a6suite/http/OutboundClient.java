package org.a6suite.http;

import java.util.concurrent.CompletableFuture;
import org.a6suite.http.internal.DefaultOutboundClient;
import org.a6suite.plugin.PluginEnvironment;

/**
 * An HTTP/1.1 client for plugins' outbound calls: keep-alive connections pooled per origin (scheme, host, port),
 * TLS with SNI and host name verification, bodies streamed with backpressure. It never follows redirects (a backend
 * must not be able to send the gateway elsewhere) and never sends {@code Upgrade} (no {@code h2c}).
 *
 * <h2>Connection reuse</h2>
 * A connection goes back to the pool only when its response body was read to the end from the socket, the request
 * was fully written, and the response allows keep-alive. Cancelling the {@link #send} future or the body
 * subscription closes the connection, so the server sees the caller go away (and an AI provider stops generating
 * tokens nobody reads). Idle pooled connections keep a read armed, so a server's close is noticed while idle and the
 * connection is dropped before anyone picks it; one idle longer than {@code poolIdleTimeout} is closed.
 *
 * <h2>Stale-connection retry</h2>
 * A server may close a keep-alive connection at any moment; the close and the client's next request can cross on
 * the wire. The request is sent again, once and on a freshly opened connection, only when the connection had
 * carried an earlier exchange (a fresh one failing is a real failure) and no byte of the response had arrived, and
 * <ol>
 *   <li>none of its bytes had been accepted by the socket, because the connection was found closed before or while
 *       the request was written: the server cannot have seen it, so this holds for every method; or</li>
 *   <li>the request is {@linkplain OutboundRequest#idempotent() idempotent} and the connection was closed or reset
 *       after it was written: the server may have seen it, but a second copy does no harm.</li>
 * </ol>
 * Nothing else is retried: a POST whose connection closes after it was written may have been processed, and once a
 * response byte has arrived the server has answered. This is the rule of Go's {@code net/http} transport
 * ({@code persistConn.shouldRetryRequest}: only reused connections; "nothing written" retries any request;
 * otherwise only replayable ones), without Go's retrying on another pooled connection: the retry opens a new one,
 * which cannot be stale. A request on a connection the client is about to retire is avoided altogether by
 * {@code poolIdleTimeout}; this rule covers the race that remains.
 *
 * <h2>Threads</h2>
 * The client runs on its own event loop ({@code eventLoopThreads}), on the runner's when a plugin asks for it with
 * {@link #of(OutboundClientConfig, PluginEnvironment)}, or on one the caller supplies through
 * {@link DefaultOutboundClient}. The send future completes, and body signals arrive, on that loop: callbacks must not
 * block (use the {@code *Async} stages to hop off). On a shared group, a call made from one of its loops is served by
 * a connection of that same loop, so the caller's callbacks run on the caller's own thread. {@link #close()} closes every connection, fails calls in flight
 * with {@link OutboundException.Kind#CLIENT_CLOSED} and stops an event loop the client created.
 */
public interface OutboundClient extends AutoCloseable {

    /** A client with its own event loop. */
    static OutboundClient of(OutboundClientConfig config) {
        return new DefaultOutboundClient(config);
    }

    /**
     * A client on the runner's I/O event loops when {@code environment} offers them ({@link PluginEnvironment#ioLoops()},
     * a Netty NIO or epoll group), else with its own event loop as {@link #of(OutboundClientConfig)}. Closing it
     * leaves the runner's loops running. Only for clients whose callbacks never block: they run on the loops that
     * also serve the runner's A6 socket and lane.
     */
    static OutboundClient of(OutboundClientConfig config, PluginEnvironment environment) {
        return DefaultOutboundClient.of(config, environment);
    }

    /** A client with {@link OutboundClientConfig#DEFAULT}. */
    static OutboundClient ofDefaults() {
        return of(OutboundClientConfig.DEFAULT);
    }

    /**
     * Sends {@code request}. The future completes with the response once its head has arrived (the body is then
     * still to be read), or fails with an {@link OutboundException}. Cancelling it before then closes the
     * connection the request was using.
     */
    CompletableFuture<OutboundResponse> send(OutboundRequest request);

    /** Cumulative counters. */
    OutboundClientMetrics metrics();

    /** Closes every connection and releases the event loop if the client created it. Idempotent. */
    @Override
    void close();
}
