package org.a6suite.emulator.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.a6suite.emulator.EmulatorUpstream;

/**
 * HTTP/1.1 requests to upstream nodes, as nginx's proxy module sends them under APISIX: one connection per request at a
 * time, kept alive afterwards in a pool per node ({@code keepalive 320}, {@code keepalive_requests 1000},
 * {@code keepalive_timeout 60s}, APISIX's {@code nginx_config.http.upstream} defaults). The request target and header
 * names go out byte for byte as given (Netty's encoder keeps case and order), so tests see what nginx would send.
 *
 * <p>{@link #send} completes when the response head arrives; the body is then read through {@link UpstreamBody}, whole
 * or chunk by chunk. {@code timeout.read} bounds the silence between two reads (head and every chunk reset it), and
 * {@code timeout.send} the time a write may take, like {@code proxy_read_timeout} and {@code proxy_send_timeout}.
 *
 * <p>Connections belong to the event loop of the request that opened them, as nginx's belong to a worker process: a
 * request takes a kept-alive connection of its own loop or opens one on it ({@code bootstrap.group(loop)}, Netty's
 * proxy pattern), never one of another loop, so the exchange runs on the thread that handles the request.
 */
final class UpstreamClient {

    private static final Set<String> NON_IDEMPOTENT = Set.of("POST", "LOCK", "PATCH");

    private final KeptAliveConnections pool = new KeptAliveConnections();

    /**
     * Sends one request to {@code node}, on an idle kept-alive connection when there is one. A kept-alive connection
     * that fails before any response byte (the node closed it while it sat idle) is replaced by a new one without
     * counting as a try, as nginx does for a cached connection, unless a POST, LOCK or PATCH was already sent on it.
     *
     * @param loop the event loop of the request's client connection: the connection used is one of its own
     */
    CompletableFuture<UpstreamReply> send(
            EventLoop loop,
            EmulatorUpstream.Node node,
            EmulatorUpstream.Timeout timeout,
            String method,
            String target,
            List<Header> headers,
            byte[] body) {
        UpstreamRequest request = new UpstreamRequest(node, timeout, method, target, headers, body, true);
        Optional<Channel> pooled = pool.take(loop, node);
        if (pooled.isEmpty()) {
            return connect(loop, request);
        }
        CompletableFuture<UpstreamReply> onCached = new CompletableFuture<>();
        Channel ch = pooled.get();
        Loops.run(ch.eventLoop(), () -> UpstreamExchange.start(ch, request, onCached, pool));
        return onCached.exceptionallyCompose(t -> {
            Throwable c =
                    t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
            boolean stale = c instanceof UpstreamException e
                    && !e.timedOut
                    && !e.responseStarted
                    && (!e.requestSent || !NON_IDEMPOTENT.contains(method));
            return stale ? connect(loop, request) : CompletableFuture.failedFuture(c);
        });
    }

    /**
     * Sends one request the way {@code ext-plugin-post-resp} does (lua-resty-http from
     * {@code apisix/plugins/ext-plugin-post-resp.lua}): always on a new connection, closed once the response was read
     * ({@code close(http_obj)}, "TODO: keepalive"), and with no second try of any kind: a failure is the answer.
     */
    CompletableFuture<UpstreamReply> sendOnNewConnection(
            EventLoop loop,
            EmulatorUpstream.Node node,
            EmulatorUpstream.Timeout timeout,
            String method,
            String target,
            List<Header> headers,
            byte[] body) {
        return connect(loop, new UpstreamRequest(node, timeout, method, target, headers, body, false));
    }

    private CompletableFuture<UpstreamReply> connect(EventLoop loop, UpstreamRequest request) {
        CompletableFuture<UpstreamReply> result = new CompletableFuture<>();
        EmulatorUpstream.Node node = request.node();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, request.timeout().connect().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.attr(UpstreamExchange.REQUESTS).set(0);
                        ch.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(KeptAliveConnections.IDLE, new KeptAliveConnections.IdleGuard());
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
            f.channel().closeFuture().addListener(c -> pool.remove(node, f.channel()));
            UpstreamExchange.start(f.channel(), request, result, pool);
        });
        return result;
    }
}
