package org.a6suite.http.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundException.Kind;
import org.a6suite.http.OutboundHeaders;
import org.a6suite.http.OutboundRequest;
import org.a6suite.http.OutboundResponse;

/**
 * One request and its response on one connection: the per-call state the connection's handler delegates to.
 * Confined to the connection's event loop.
 *
 * <pre>
 *  start ──write──▶ AWAITING_HEAD ──head──▶ BODY ──last content──▶ DONE (connection back to the pool)
 *                        │                   │
 *                        │ close/reset,      │ close, read-idle timeout,
 *                        │ head timeout,     │ cancel
 *                        ▼ cancel            ▼
 *                      DONE (connection closed; maybe retried, see OutboundClient)
 * </pre>
 */
final class Exchange implements ResponseBodyPublisher.Source {

    private enum State {
        AWAITING_HEAD,
        BODY,
        DONE
    }

    private static final Set<String> BODY_EXPECTED = Set.of("POST", "PUT", "PATCH");

    private final DefaultOutboundClient client;
    private final OriginPool pool;
    private final OutboundRequest request;
    private final Connection connection;
    private final Channel channel;
    private final boolean reused;
    private final boolean retry;
    private final CompletableFuture<OutboundResponse> result;
    private State state = State.AWAITING_HEAD;
    private long writtenAtStart;
    private long readAtStart;
    private boolean requestWritten;
    private boolean bodyRead;
    private boolean keepAlive;
    private boolean skipInformational;
    private long bodyBytes;
    private ResponseBodyPublisher body;
    private ScheduledFuture<?> headTimer;
    private ScheduledFuture<?> idleTimer;

    Exchange(
            DefaultOutboundClient client,
            OriginPool pool,
            OutboundRequest request,
            OriginPool.Lease lease,
            boolean retry,
            CompletableFuture<OutboundResponse> result) {
        this.client = client;
        this.pool = pool;
        this.request = request;
        this.connection = lease.connection();
        this.channel = connection.channel;
        this.reused = lease.reused();
        this.retry = retry;
        this.result = result;
    }

    void start() {
        if (result.isDone()) { // cancelled while waiting for the connection: it is untouched, give it back
            state = State.DONE;
            pool.release(connection);
            return;
        }
        if (!channel.isActive()) { // found closed before anything was written
            connection.close();
            failBeforeHead(null, true, true);
            return;
        }
        connection.handler.attach(this);
        writtenAtStart = connection.traffic.written();
        readAtStart = connection.traffic.read();
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                channel.eventLoop().execute(this::cancel);
            }
        });
        headTimer = channel.eventLoop()
                .schedule(this::onHeadTimeout, request.responseHeadTimeout().toNanos(), TimeUnit.NANOSECONDS);
        channel.writeAndFlush(encode()).addListener(f -> {
            if (f.isSuccess()) {
                requestWritten = true;
                if (bodyRead) {
                    finish();
                }
            } else if (state != State.DONE) {
                onClosed(f.cause());
            }
        });
        channel.read();
    }

    private FullHttpRequest encode() {
        ByteBuffer bytes = request.body();
        ByteBuf content = bytes.hasRemaining() ? Unpooled.wrappedBuffer(bytes) : Unpooled.EMPTY_BUFFER;
        FullHttpRequest r = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.valueOf(request.method()), requestTarget(request.uri()), content);
        if (!request.headers().contains("host")) {
            r.headers().set(HttpHeaderNames.HOST, connection.origin.hostHeader());
        }
        for (Map.Entry<String, List<String>> e : request.headers().map().entrySet()) {
            r.headers().add(e.getKey(), e.getValue());
        }
        if (content.isReadable() || BODY_EXPECTED.contains(request.method())) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        }
        return r;
    }

    void onMessage(HttpObject msg) {
        try {
            if (state == State.DONE) {
                return;
            }
            if (msg instanceof HttpResponse head) {
                onHead(head);
            }
            if (msg instanceof HttpContent content && state == State.BODY) {
                onContent(content);
            } else if (msg instanceof LastHttpContent && skipInformational) {
                skipInformational = false;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse head) {
        if (state != State.AWAITING_HEAD) {
            return;
        }
        if (head.decoderResult().isFailure()) {
            closeWith(Failures.malformedHead(
                    connection.origin,
                    head.decoderResult().cause(),
                    client.config().maxResponseHeadBytes()));
            return;
        }
        int status = head.status().code();
        if (status == 101) {
            closeWith(new OutboundException(
                    Kind.INVALID_RESPONSE,
                    connection.origin + " switched protocols (101) though the client asked for no upgrade"));
            return;
        }
        if (status < 200) { // 100 Continue, 103 Early Hints: the real answer follows
            skipInformational = true;
            return;
        }
        cancel(headTimer);
        state = State.BODY;
        keepAlive = HttpUtil.isKeepAlive(head);
        body = new ResponseBodyPublisher(channel.eventLoop(), this);
        OutboundHeaders.Builder headers = OutboundHeaders.builder();
        head.headers().forEach(e -> headers.add(e.getKey(), e.getValue()));
        if (!result.complete(new DefaultOutboundResponse(status, headers.build(), body, connection.origin))) {
            cancel();
        }
    }

    private void onContent(HttpContent content) {
        cancel(idleTimer);
        idleTimer = null;
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            failBody(
                    cause instanceof io.netty.handler.codec.PrematureChannelClosureException
                            ? Failures.truncated(connection.origin, null, bodyBytes)
                            : new OutboundException(
                                    Kind.INVALID_RESPONSE,
                                    "malformed response body from " + connection.origin + ": "
                                            + Failures.describe(cause),
                                    cause));
            return;
        }
        ByteBuf buf = content.content();
        if (buf.isReadable()) {
            byte[] copy = new byte[buf.readableBytes()];
            buf.readBytes(copy);
            bodyBytes += copy.length;
            body.offer(ByteBuffer.wrap(copy)); // the subscriber's to keep: see OutboundResponse#body
        }
        if (content instanceof LastHttpContent) {
            bodyRead = true;
            if (requestWritten) {
                finish();
            }
            body.complete();
        }
    }

    /** Response read to its end and request fully written: the connection is free again. */
    private void finish() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        cancel(idleTimer);
        connection.handler.detach(this);
        if (keepAlive) {
            pool.release(connection);
        } else {
            connection.close();
        }
    }

    /** The connection closed, was reset, or failed a write. */
    void onClosed(Throwable cause) {
        switch (state) {
            case AWAITING_HEAD -> {
                connection.close();
                failBeforeHead(cause, false, true);
            }
            case BODY -> {
                if (bodyRead) { // request write failed after the whole response arrived: answer is complete
                    state = State.DONE;
                    connection.handler.detach(this);
                    connection.close();
                } else {
                    failBody(
                            client.isClosed()
                                    ? clientClosed()
                                    : Failures.truncated(connection.origin, cause, bodyBytes));
                }
            }
            case DONE -> {}
        }
    }

    /**
     * Fails or retries a call whose response head never came; see the rule in {@code OutboundClient}.
     *
     * @param foundClosed the connection was closed before this exchange wrote anything
     * @param peerClosed  the connection ended under us (close, reset, failed write), not by our timeout or cancel
     */
    private void failBeforeHead(Throwable cause, boolean foundClosed, boolean peerClosed) {
        state = State.DONE;
        cancel(headTimer);
        connection.handler.detach(this);
        if (client.isClosed()) {
            result.completeExceptionally(clientClosed());
            return;
        }
        long responseBytes = foundClosed ? 0 : connection.traffic.read() - readAtStart;
        boolean nothingWritten = foundClosed || connection.traffic.written() == writtenAtStart;
        if (peerClosed && reused && !retry && responseBytes == 0 && (nothingWritten || request.idempotent())) {
            (nothingWritten ? client.counters().unsentRetries : client.counters().idempotentRetries).increment();
            client.attempt(request, pool, result, true);
            return;
        }
        String note = "";
        if (retry) {
            note = " (on a fresh connection, after the reused one had been closed)";
        } else if (reused && responseBytes == 0 && !nothingWritten) {
            note = " (on a reused connection; not retried: " + request.method()
                    + " is not idempotent and the request had been sent, so the server may have processed it)";
        }
        result.completeExceptionally(Failures.closedBeforeResponse(connection.origin, cause, responseBytes, note));
    }

    private void onHeadTimeout() {
        if (state == State.AWAITING_HEAD) {
            closeWith(new OutboundException(
                    Kind.RESPONSE_HEAD_TIMEOUT,
                    "no response head from " + connection.origin + " within "
                            + Failures.human(request.responseHeadTimeout()) + " (responseHeadTimeout)"));
        }
    }

    private void onReadIdleTimeout() {
        if (state == State.BODY) {
            failBody(new OutboundException(
                    Kind.READ_IDLE_TIMEOUT,
                    "no body bytes from " + connection.origin
                            + " for " + Failures.human(request.readIdleTimeout()) + " after " + bodyBytes
                            + " bytes (readIdleTimeout)"));
        }
    }

    /** Ends the call before its head with {@code error}, closing the connection; never retried. */
    private void closeWith(OutboundException error) {
        state = State.DONE;
        cancel(headTimer);
        connection.handler.detach(this);
        connection.close();
        result.completeExceptionally(error);
    }

    private void failBody(OutboundException error) {
        state = State.DONE;
        cancel(idleTimer);
        connection.handler.detach(this);
        connection.close();
        body.fail(error);
    }

    @Override
    public void readMore() {
        if (state == State.BODY && !bodyRead) {
            if (idleTimer == null) {
                idleTimer = channel.eventLoop()
                        .schedule(
                                this::onReadIdleTimeout,
                                request.readIdleTimeout().toNanos(),
                                TimeUnit.NANOSECONDS);
            }
            channel.read();
        }
    }

    /** The caller went away: the send future or the body subscription was cancelled. */
    @Override
    public void cancel() {
        if (state == State.DONE) {
            return;
        }
        OutboundException cancelled =
                new OutboundException(Kind.CANCELLED, "call to " + connection.origin + " cancelled by the caller");
        if (state == State.AWAITING_HEAD) {
            closeWith(cancelled);
        } else {
            failBody(cancelled);
        }
    }

    private OutboundException clientClosed() {
        return new OutboundException(Kind.CLIENT_CLOSED, "the client was closed during a call to " + connection.origin);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /** The origin-form request target (RFC 9112 section 3.2.1): raw path, or "/", and raw query. */
    private static String requestTarget(java.net.URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
}
