package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response on one upstream connection, as nginx's proxy module makes it: the per-call handlers
 * (read/send timeouts between successive reads/writes, like {@code proxy_read_timeout} and {@code proxy_send_timeout})
 * are installed, the request written, the head completes the caller's future and the body is read through {@link
 * UpstreamBody}; afterwards the connection goes back to the {@link KeptAliveConnections} or is closed.
 */
final class UpstreamExchange {

    private static final Logger log = LoggerFactory.getLogger(UpstreamExchange.class);

    /** Requests served by one connection before it is closed (nginx's {@code keepalive_requests}). */
    static final int KEEPALIVE_REQUESTS = 1000;
    /** Requests this connection has carried so far. */
    static final AttributeKey<Integer> REQUESTS = AttributeKey.valueOf("a6-emulator-upstream-requests");

    private static final int MAX_BODY = 64 * 1024 * 1024;
    private static final String READ_TIMEOUT = "read-timeout";
    private static final String WRITE_TIMEOUT = "write-timeout";
    private static final String EXCHANGE = "exchange";

    private UpstreamExchange() {}

    /** On the connection's event loop: installs the per-call handlers and writes the request. */
    static void start(
            Channel ch, UpstreamRequest request, CompletableFuture<UpstreamReply> result, KeptAliveConnections pool) {
        if (!ch.isActive()) {
            result.completeExceptionally(
                    new UpstreamException("upstream closed the kept-alive connection", false, false, false));
            return;
        }
        ch.attr(REQUESTS).set(ch.attr(REQUESTS).get() + 1);
        Exchange exchange = new Exchange(ch, request, result, pool);
        // nginx's send/read timeouts bound the gap between two successive writes/reads, from the request on
        ch.pipeline()
                .addFirst(
                        WRITE_TIMEOUT,
                        new WriteTimeoutHandler(request.timeout().send().toNanos(), TimeUnit.NANOSECONDS))
                .addFirst(
                        READ_TIMEOUT,
                        new ReadTimeoutHandler(request.timeout().read().toNanos(), TimeUnit.NANOSECONDS))
                .addBefore(KeptAliveConnections.IDLE, EXCHANGE, exchange);
        // Head and body written separately: a FullHttpRequest would get a Content-Length the caller did not set.
        HttpRequest head = new DefaultHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(request.method()),
                request.target(),
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        for (Header h : request.headers()) {
            head.headers().add(h.name(), h.value());
        }
        ch.write(head);
        ch.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(request.body())))
                .addListener(w -> {
                    if (w.isSuccess()) {
                        exchange.requestWritten = true;
                        exchange.releaseIfDone();
                        return;
                    }
                    boolean timedOut = w.cause() instanceof WriteTimeoutException;
                    ch.close(); // even when the response already ended: a half-written request leaves the
                    // connection unusable
                    exchange.fail(new UpstreamException(
                            (timedOut
                                    ? "upstream timed out (110: Connection timed out) while sending request to upstream"
                                    : "send() to " + request.node().hostPort() + " failed: "
                                            + w.cause().getMessage()),
                            timedOut));
                });
    }

    /** Where one call stands. */
    enum State {
        AWAITING_HEAD,
        READING_BODY,
        DONE
    }

    /**
     * One request and its response on one connection: per-call state, confined to the connection's event loop. Before
     * the head, failures complete the {@code send} future (nginx may try another node); after it, they go to the
     * body's reader and close the connection.
     */
    private static final class Exchange extends ChannelInboundHandlerAdapter implements UpstreamBody {
        private final Channel ch;
        private final UpstreamRequest request;
        private final KeptAliveConnections pool;
        private final CompletableFuture<UpstreamReply> result;
        private final Queue<ByteBuf> early = new ArrayDeque<>();
        private State state = State.AWAITING_HEAD;
        private boolean requestWritten;
        private boolean keepAlive;
        private boolean ended;
        private UpstreamException failure;
        private Listener listener;

        Exchange(
                Channel ch,
                UpstreamRequest request,
                CompletableFuture<UpstreamReply> result,
                KeptAliveConnections pool) {
            this.ch = ch;
            this.pool = pool;
            this.request = request;
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (state == State.AWAITING_HEAD && msg instanceof HttpResponse response) {
                    onHead(response);
                }
                if (state == State.READING_BODY && msg instanceof HttpContent content) {
                    onContent(content);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void onHead(HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                fail(new UpstreamException(
                        "upstream sent invalid header while reading response header from " + "upstream",
                        false,
                        true,
                        true));
                return;
            }
            keepAlive = HttpUtil.isKeepAlive(response);
            List<Header> headers = new ArrayList<>();
            response.headers()
                    .iteratorAsString()
                    .forEachRemaining(e -> headers.add(new Header(e.getKey(), e.getValue())));
            state = State.READING_BODY;
            result.complete(new UpstreamReply(response.status().code(), headers, this));
        }

        private void onContent(HttpContent content) {
            if (content.decoderResult().isFailure()) {
                fail(new UpstreamException(
                        "upstream sent invalid chunked response while reading upstream", false, true, true));
                return;
            }
            if (content.content().isReadable()) {
                ByteBuf chunk = content.content().retain();
                if (listener == null) {
                    early.add(chunk);
                } else {
                    listener.onChunk(chunk);
                }
            }
            if (state == State.READING_BODY && content instanceof LastHttpContent) {
                ended = true;
                state = State.DONE;
                if (listener != null) {
                    listener.onEnd();
                }
                releaseIfDone();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new UpstreamException(
                    state == State.AWAITING_HEAD
                            ? "upstream prematurely closed connection while reading response header from upstream"
                            : "upstream prematurely closed connection while reading upstream",
                    false));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            boolean timedOut = cause instanceof ReadTimeoutException || cause instanceof WriteTimeoutException;
            String where = state == State.AWAITING_HEAD
                    ? "while reading response header from upstream"
                    : "while reading upstream";
            fail(new UpstreamException(
                    timedOut
                            ? "upstream timed out (110: Connection timed out) " + where
                            : "recv() failed (" + cause.getMessage() + ") " + where,
                    timedOut));
        }

        /** Ends the call with {@code e}: before the head the send fails, after it the body does. */
        void fail(UpstreamException e) {
            if (state == State.DONE) {
                return;
            }
            State was = state;
            state = State.DONE;
            ch.close();
            if (was == State.AWAITING_HEAD) {
                result.completeExceptionally(e);
                return;
            }
            log.error(
                    "{}, upstream: \"http://{}{}\"",
                    e.getMessage(),
                    request.node().hostPort(),
                    request.target());
            failure = new UpstreamException(e.getMessage(), e.timedOut, true, true);
            if (listener != null) {
                listener.onError(failure);
            }
        }

        /**
         * Once both the request was written and the response read to its end, returns the connection to the pool (or
         * closes it when the node asked for that or it served {@link #KEEPALIVE_REQUESTS}).
         */
        void releaseIfDone() {
            if (!ended || !requestWritten || ch.pipeline().get(EXCHANGE) != this) {
                return;
            }
            ch.pipeline().remove(READ_TIMEOUT);
            ch.pipeline().remove(WRITE_TIMEOUT);
            ch.pipeline().remove(EXCHANGE);
            ch.config().setAutoRead(true);
            if (request.keepAlive()
                    && keepAlive
                    && ch.isActive()
                    && ch.attr(REQUESTS).get() < KEEPALIVE_REQUESTS) {
                pool.put(request.node(), ch);
            } else {
                ch.close();
            }
        }

        @Override
        public CompletableFuture<byte[]> aggregate() {
            CompletableFuture<byte[]> whole = new CompletableFuture<>();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            relay(new Listener() {
                @Override
                public void onChunk(ByteBuf chunk) {
                    try {
                        if (out.size() + chunk.readableBytes() > MAX_BODY) {
                            fail(new UpstreamException(
                                    "upstream response body is larger than " + MAX_BODY + " bytes", false));
                            return;
                        }
                        chunk.readBytes(out, chunk.readableBytes());
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e); // a ByteArrayOutputStream does not throw
                    } finally {
                        chunk.release();
                    }
                }

                @Override
                public void onEnd() {
                    whole.complete(out.toByteArray());
                }

                @Override
                public void onError(UpstreamException error) {
                    whole.completeExceptionally(error);
                }
            });
            return whole;
        }

        @Override
        public void relay(Listener l) {
            requireNonNull(l, "listener");
            // on the request's own loop (the connection is one of its loop's) the listener is set at once
            Loops.run(ch.eventLoop(), () -> {
                if (listener != null) {
                    throw new IllegalStateException("body already read");
                }
                listener = l;
                for (ByteBuf chunk = early.poll(); chunk != null; chunk = early.poll()) {
                    l.onChunk(chunk);
                }
                if (ended) {
                    l.onEnd();
                } else if (failure != null) {
                    l.onError(failure);
                }
            });
        }

        @Override
        public void pause() {
            ch.config().setAutoRead(false);
        }

        @Override
        public void resume() {
            ch.config().setAutoRead(true);
        }

        @Override
        public void abort() {
            Loops.run(ch.eventLoop(), () -> {
                if (state != State.DONE) {
                    log.info(
                            "client prematurely closed connection, so upstream connection is closed too, "
                                    + "upstream: \"http://{}{}\"",
                            request.node().hostPort(),
                            request.target());
                    state = State.DONE;
                    ch.close();
                }
                early.forEach(ByteBuf::release);
                early.clear();
            });
        }
    }
}
