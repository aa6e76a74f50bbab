package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
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
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import org.a6suite.emulator.EmulatorUpstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 requests to upstream nodes, as nginx's proxy module sends them under APISIX: one connection per request at a
 * time, kept alive afterwards in a pool per node ({@code keepalive 320}, {@code keepalive_requests 1000},
 * {@code keepalive_timeout 60s}, APISIX's {@code nginx_config.http.upstream} defaults). The request target and header
 * names go out byte for byte as given (Netty's encoder keeps case and order), so tests see what nginx would send.
 *
 * <p>{@link #send} completes when the response head arrives; the body is then read through {@link UpstreamBody}, whole
 * or chunk by chunk. {@code timeout.read} bounds the silence between two reads (head and every chunk reset it), and
 * {@code timeout.send} the time a write may take, like {@code proxy_read_timeout} and {@code proxy_send_timeout}.
 */
final class UpstreamClient {

    private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);

    /** Idle connections kept per node (nginx's {@code keepalive}); the least recently used beyond it is closed. */
    static final int KEEPALIVE = 320;
    /** Requests served by one connection before it is closed (nginx's {@code keepalive_requests}). */
    static final int KEEPALIVE_REQUESTS = 1000;
    /** How long an idle connection is kept (nginx's upstream {@code keepalive_timeout}). */
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(60);

    private static final int MAX_BODY = 64 * 1024 * 1024;
    private static final Set<String> NON_IDEMPOTENT = Set.of("POST", "LOCK", "PATCH");
    private static final String READ_TIMEOUT = "read-timeout";
    private static final String WRITE_TIMEOUT = "write-timeout";
    private static final String EXCHANGE = "exchange";
    private static final String IDLE = "idle";
    private static final AttributeKey<Integer> REQUESTS = AttributeKey.valueOf("a6-emulator-upstream-requests");
    private static final AttributeKey<ScheduledFuture<?>> IDLE_TIMER =
            AttributeKey.valueOf("a6-emulator-upstream-idle-timer");

    private final EventLoopGroup group;
    private final Map<String, Deque<Channel>> idle = new ConcurrentHashMap<>();

    UpstreamClient(EventLoopGroup group) {
        this.group = requireNonNull(group, "group");
    }

    /**
     * Sends one request to {@code node}, on an idle kept-alive connection when there is one. A kept-alive connection
     * that fails before any response byte (the node closed it while it sat idle) is replaced by a new one without
     * counting as a try, as nginx does for a cached connection, unless a POST, LOCK or PATCH was already sent on it.
     */
    CompletableFuture<UpstreamReply> send(
            EmulatorUpstream.Node node,
            EmulatorUpstream.Timeout timeout,
            String method,
            String target,
            List<Header> headers,
            byte[] body) {
        Request request = new Request(node, timeout, method, target, headers, body, true);
        Optional<Channel> pooled = takeIdle(node);
        if (pooled.isEmpty()) {
            return connect(request);
        }
        CompletableFuture<UpstreamReply> onCached = new CompletableFuture<>();
        Channel ch = pooled.get();
        ch.eventLoop().execute(() -> exchange(ch, request, onCached));
        return onCached.exceptionallyCompose(t -> {
            Throwable c =
                    t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
            boolean stale = c instanceof UpstreamException e
                    && !e.timedOut
                    && !e.responseStarted
                    && (!e.requestSent || !NON_IDEMPOTENT.contains(method));
            return stale ? connect(request) : CompletableFuture.failedFuture(c);
        });
    }

    /**
     * Sends one request the way {@code ext-plugin-post-resp} does (lua-resty-http from
     * {@code apisix/plugins/ext-plugin-post-resp.lua}): always on a new connection, closed once the response was read
     * ({@code close(http_obj)}, "TODO: keepalive"), and with no second try of any kind: a failure is the answer.
     */
    CompletableFuture<UpstreamReply> sendOnNewConnection(
            EmulatorUpstream.Node node,
            EmulatorUpstream.Timeout timeout,
            String method,
            String target,
            List<Header> headers,
            byte[] body) {
        return connect(new Request(node, timeout, method, target, headers, body, false));
    }

    private record Request(
            EmulatorUpstream.Node node,
            EmulatorUpstream.Timeout timeout,
            String method,
            String target,
            List<Header> headers,
            byte[] body,
            boolean keepAlive) {}

    private CompletableFuture<UpstreamReply> connect(Request request) {
        CompletableFuture<UpstreamReply> result = new CompletableFuture<>();
        EmulatorUpstream.Node node = request.node();
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, request.timeout().connect().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.attr(REQUESTS).set(0);
                        ch.pipeline().addLast(new HttpClientCodec()).addLast(IDLE, new IdleGuard());
                    }
                });
        b.connect(node.host(), node.port()).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                boolean timedOut = f.cause() instanceof ConnectTimeoutException;
                result.completeExceptionally(new UpstreamException(
                        (timedOut ? "upstream timed out: connect() to " : "connect() to ") + node.hostPort()
                                + " failed: " + f.cause().getMessage(),
                        timedOut,
                        false,
                        false));
                return;
            }
            f.channel().closeFuture().addListener(c -> {
                Deque<Channel> q = idle.get(node.hostPort());
                if (q != null) {
                    q.remove(f.channel());
                }
            });
            exchange(f.channel(), request, result);
        });
        return result;
    }

    /** On the connection's event loop: installs the per-call handlers and writes the request. */
    private void exchange(Channel ch, Request request, CompletableFuture<UpstreamReply> result) {
        if (!ch.isActive()) {
            result.completeExceptionally(
                    new UpstreamException("upstream closed the kept-alive connection", false, false, false));
            return;
        }
        ch.attr(REQUESTS).set(ch.attr(REQUESTS).get() + 1);
        Exchange exchange = new Exchange(ch, request, result);
        // nginx's send/read timeouts bound the gap between two successive writes/reads, from the request on
        ch.pipeline()
                .addFirst(
                        WRITE_TIMEOUT,
                        new WriteTimeoutHandler(request.timeout().send().toNanos(), TimeUnit.NANOSECONDS))
                .addFirst(
                        READ_TIMEOUT,
                        new ReadTimeoutHandler(request.timeout().read().toNanos(), TimeUnit.NANOSECONDS))
                .addBefore(IDLE, EXCHANGE, exchange);
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

    private Optional<Channel> takeIdle(EmulatorUpstream.Node node) {
        Deque<Channel> q = idle.get(node.hostPort());
        for (Channel ch = q == null ? null : q.pollLast(); ch != null; ch = q.pollLast()) {
            ScheduledFuture<?> timer = ch.attr(IDLE_TIMER).getAndSet(null);
            if (timer != null) {
                timer.cancel(false);
            }
            if (ch.isActive()) {
                return Optional.of(ch);
            }
        }
        return Optional.empty();
    }

    private void putIdle(EmulatorUpstream.Node node, Channel ch) {
        Deque<Channel> q = idle.computeIfAbsent(node.hostPort(), k -> new ConcurrentLinkedDeque<>());
        ch.attr(IDLE_TIMER)
                .set(ch.eventLoop()
                        .schedule(
                                () -> {
                                    q.remove(ch);
                                    ch.close();
                                },
                                KEEPALIVE_TIMEOUT.toNanos(),
                                TimeUnit.NANOSECONDS));
        q.addLast(ch);
        while (q.size() > KEEPALIVE) {
            Channel oldest = q.pollFirst();
            if (oldest != null) {
                oldest.close();
            }
        }
    }

    /** Sits last on every upstream connection: a kept-alive connection that speaks while idle is closed. */
    private static final class IdleGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Where one call stands. */
    private enum State {
        AWAITING_HEAD,
        READING_BODY,
        DONE
    }

    /**
     * One request and its response on one connection: per-call state, confined to the connection's event loop. Before
     * the head, failures complete the {@code send} future (nginx may try another node); after it, they go to the
     * body's reader and close the connection.
     */
    private final class Exchange extends ChannelInboundHandlerAdapter implements UpstreamBody {
        private final Channel ch;
        private final Request request;
        private final CompletableFuture<UpstreamReply> result;
        private final Queue<ByteBuf> early = new ArrayDeque<>();
        private State state = State.AWAITING_HEAD;
        private boolean requestWritten;
        private boolean keepAlive;
        private boolean ended;
        private UpstreamException failure;
        private Listener listener;

        Exchange(Channel ch, Request request, CompletableFuture<UpstreamReply> result) {
            this.ch = ch;
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
                putIdle(request.node(), ch);
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
            ch.eventLoop().execute(() -> {
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
            ch.eventLoop().execute(() -> {
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
