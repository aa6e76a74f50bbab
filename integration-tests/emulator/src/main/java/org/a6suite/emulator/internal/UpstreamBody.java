package org.a6suite.emulator.internal;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * The body of an upstream response whose head has arrived. Either gathered whole ({@link #aggregate()}, nginx's
 * {@code proxy_buffering on}) or relayed chunk by chunk ({@link #relay}, nginx with {@code X-Accel-Buffering: no}); one
 * of the two, once. Callbacks run on the upstream connection's event loop.
 */
interface UpstreamBody {

    /** The whole body; fails with an {@link UpstreamException} if the upstream fails before its end. */
    CompletableFuture<byte[]> aggregate();

    /** Hands every chunk to {@code listener} as it arrives (chunks that came earlier first), then the end or an error. */
    void relay(Listener listener);

    /** Stops reading from the upstream until {@link #resume()}: the client cannot take more yet. */
    void pause();

    void resume();

    /**
     * The client went away: closes the upstream connection (nginx's {@code proxy_ignore_client_abort off}). Does
     * nothing once the body has ended.
     */
    void abort();

    /** Receives a relayed body. */
    interface Listener {
        /** One chunk as the upstream sent it; the listener owns (and releases) {@code chunk}. */
        void onChunk(ByteBuf chunk);

        /** The body ended; upstream trailers, if any, were dropped (nginx's {@code proxy_pass_trailers off}). */
        void onEnd();

        /** The upstream failed mid-body (timeout between reads, reset, premature close); already logged. */
        void onError(UpstreamException error);
    }
}
