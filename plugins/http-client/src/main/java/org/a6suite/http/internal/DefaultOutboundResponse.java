package org.a6suite.http.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundException.Kind;
import org.a6suite.http.OutboundHeaders;
import org.a6suite.http.OutboundResponse;

/** A response head plus the publisher of its body. */
final class DefaultOutboundResponse implements OutboundResponse {

    private final int status;
    private final OutboundHeaders headers;
    private final ResponseBodyPublisher body;
    private final Origin origin;

    DefaultOutboundResponse(int status, OutboundHeaders headers, ResponseBodyPublisher body, Origin origin) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.origin = origin;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public OutboundHeaders headers() {
        return headers;
    }

    @Override
    public Flow.Publisher<ByteBuffer> body() {
        return body;
    }

    @Override
    public CompletableFuture<byte[]> aggregate(int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 0)");
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        long declared = headers.firstValue("content-length")
                .map(DefaultOutboundResponse::parseLength)
                .orElse(-1L);
        if (declared > maxBytes) {
            abort();
            result.completeExceptionally(tooLarge("declares " + declared + " bytes", maxBytes));
            return result;
        }
        body.subscribe(new Flow.Subscriber<>() {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                if (result.isDone()) {
                    return;
                }
                if ((long) out.size() + item.remaining() > maxBytes) {
                    subscription.cancel();
                    result.completeExceptionally(tooLarge("sent more than " + maxBytes + " bytes", maxBytes));
                    return;
                }
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                out.writeBytes(bytes);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(out.toByteArray());
            }
        });
        return result;
    }

    @Override
    public void abort() {
        body.abort(new OutboundException(Kind.CANCELLED, "body from " + origin + " given up by the caller"));
    }

    private OutboundException tooLarge(String what, int maxBytes) {
        return new OutboundException(
                Kind.BODY_TOO_LARGE,
                "response body from " + origin + " " + what + " (expected: at most " + maxBytes + ")");
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // the decoder has already rejected a malformed length; nothing to pre-check
        }
    }

    @Override
    public String toString() {
        return "OutboundResponse[" + status + " from " + origin + "]";
    }
}
