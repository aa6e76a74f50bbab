package org.a6suite.mcp.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A body handler that collects at most {@code maxBytes} and fails with {@link TooLargeException} beyond that,
 * cancelling the transfer, so a backend cannot make the runner buffer an unbounded answer.
 */
public final class CappedBody {

    private CappedBody() {
    }

    /** The response body exceeded the configured cap. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long limit) {
            super("response body exceeds " + limit + " bytes");
        }
    }

    public static HttpResponse.BodyHandler<byte[]> handler(int maxBytes) {
        return info -> {
            long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
            return new Subscriber(maxBytes, declared > maxBytes);
        };
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        private final boolean refuse;

        Subscriber(int max, boolean refuse) {
            this.max = max;
            this.refuse = refuse;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (refuse) {
                // Content-Length already says too much: do not read a byte of it.
                result.completeExceptionally(new TooLargeException(max));
                s.cancel();
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (out.size() + b.remaining() > max) {
                    result.completeExceptionally(new TooLargeException(max));
                    subscription.cancel();
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
