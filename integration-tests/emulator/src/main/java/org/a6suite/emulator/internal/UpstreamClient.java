package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
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
 */
final class UpstreamClient {

    private static final Set<String> NON_IDEMPOTENT = Set.of("POST", "LOCK", "PATCH");

    private final EventLoopGroup group;
    private final KeptAliveConnections pool = new KeptAliveConnections();

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
        UpstreamRequest request = new UpstreamRequest(node, timeout, method, target, headers, body, true);
        Optional<Channel> pooled = pool.take(node);
        if (pooled.isEmpty()) {
            return connect(request);
        }
        CompletableFuture<UpstreamReply> onCached = new CompletableFuture<>();
        Channel ch = pooled.get();
        ch.eventLoop().execute(() -> UpstreamExchange.start(ch, request, onCached, pool));
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
        return connect(new UpstreamRequest(node, timeout, method, target, headers, body, false));
    }

    private CompletableFuture<UpstreamReply> connect(UpstreamRequest request) {
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
