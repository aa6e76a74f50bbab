package org.a6suite.mcp.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundResponse;

/**
 * Reads a body up to a cap, showing each chunk to a listener first, and completes the reply with the whole body.
 *
 * <p>The body is copied once, from each chunk into one array sized from {@code content-length} when the answer
 * declares it (up to 64 KiB: a REST backend's usual answer is then never grown nor copied again); otherwise the
 * array grows by doubling, never past the cap. A listener sees a read-only view of the chunk's bytes in that array: the
 * range is never written again (growing copies into a new array), so the view stays valid after the call.
 */
final class CappedReader implements Flow.Subscriber<ByteBuffer> {

    /** No listener: what a caller that only wants the whole body passes. */
    static final Consumer<ByteBuffer> NO_LISTENER = chunk -> {};

    private static final int INITIAL = 8192;
    /** The most reserved before any byte arrives. */
    private static final int PRESIZE_LIMIT = 64 * 1024;

    private final OutboundResponse response;
    private final int maxBytes;
    private final Consumer<ByteBuffer> onChunk;
    private final CompletableFuture<Outbound.Reply> reply;
    private byte[] body = new byte[0];
    private int size;
    private Flow.Subscription subscription;

    CappedReader(
            OutboundResponse response,
            int maxBytes,
            Consumer<ByteBuffer> onChunk,
            CompletableFuture<Outbound.Reply> reply) {
        this.response = response;
        this.maxBytes = maxBytes;
        this.onChunk = onChunk;
        this.reply = reply;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        long declared = declaredLength();
        if (declared > maxBytes) {
            s.cancel();
            reply.completeExceptionally(new OutboundException(
                    OutboundException.Kind.BODY_TOO_LARGE,
                    "response body of " + declared + " bytes exceeds the limit of " + maxBytes));
            return;
        }
        // Sized from the declared length up to a bound: a length alone (no bytes yet) never reserves the whole cap.
        body = new byte[(int) Math.min(declared >= 0 ? declared : INITIAL, Math.min(PRESIZE_LIMIT, maxBytes))];
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                s.cancel();
            }
        });
        s.request(1);
    }

    @Override
    public void onNext(ByteBuffer chunk) {
        if (reply.isDone()) {
            subscription.cancel();
            return;
        }
        int n = chunk.remaining();
        if (size + n > maxBytes) {
            subscription.cancel();
            reply.completeExceptionally(new OutboundException(
                    OutboundException.Kind.BODY_TOO_LARGE,
                    "response body exceeds the limit of " + maxBytes + " bytes"));
            return;
        }
        if (size + n > body.length) {
            // Within the cap (checked above); doubling keeps a body of unknown length to a few copies.
            body = Arrays.copyOf(body, (int) Math.min(maxBytes, Math.max(size + n, 2L * body.length)));
        }
        chunk.duplicate().get(body, size, n);
        int start = size;
        size += n;
        if (onChunk != NO_LISTENER) {
            try {
                onChunk.accept(ByteBuffer.wrap(body, start, n).slice().asReadOnlyBuffer());
            } catch (RuntimeException e) {
                // A listener's bug must not leave the reply hanging: the body is still read to its end.
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        reply.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        reply.complete(new Outbound.Reply(
                response.status(), response.headers(), size == body.length ? body : Arrays.copyOf(body, size)));
    }

    /** The declared {@code content-length}; -1 when absent or not a number. */
    private long declaredLength() {
        String value = response.headers().firstValue("content-length").orElse(null);
        if (value == null) {
            return -1;
        }
        try {
            long declared = Long.parseLong(value.strip());
            return declared >= 0 ? declared : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
