package org.a6suite.http.internal;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundClientConfig;
import org.a6suite.http.OutboundClientMetrics;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundException.Kind;
import org.a6suite.http.OutboundRequest;
import org.a6suite.http.OutboundResponse;
import org.a6suite.plugin.PluginEnvironment;

/**
 * The Netty implementation of {@link OutboundClient}. Public so that code which already runs a Netty event loop
 * group (NIO or epoll) can share it through {@link #DefaultOutboundClient(OutboundClientConfig, EventLoopGroup)};
 * plugins use {@link OutboundClient#of}. A call made from one of the group's loops is served by a connection of that
 * loop (see {@link OriginPool}), so its whole exchange stays on the caller's thread.
 *
 * <p>Pipeline of each connection, socket end first:
 * <pre>
 *   TrafficCounter ─ [SslHandler] ─ HttpClientCodec ─ ConnectionHandler ─▶ current Exchange
 * </pre>
 * Auto-read is off everywhere: a connection reads while an exchange waits for its head, while a body subscriber has
 * demand, and (one pending read) while idle in the pool to notice the server closing it.
 */
public final class DefaultOutboundClient implements OutboundClient {

    private final OutboundClientConfig config;
    private final EventLoopGroup group;
    /** The group's loops, listed once: {@link #currentLoop()} runs per call and must not allocate. */
    private final EventLoop[] loops;

    private final boolean ownsGroup;
    private final SslContext ssl;
    private final Bootstrap bootstrap;
    private final Counters counters = new Counters();
    private final ConcurrentHashMap<Origin, OriginPool> pools = new ConcurrentHashMap<>();
    /** Name lookups block (the JDK resolver has no async form): they run here, never on the event loop. */
    private final ExecutorService resolver = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("a6-http-client-dns-", 0).factory());

    private volatile boolean closed;

    /** A client with its own event loop of {@code config.eventLoopThreads()} threads. */
    public DefaultOutboundClient(OutboundClientConfig config) {
        this(
                config,
                new MultiThreadIoEventLoopGroup(
                        requireNonNull(config, "config").eventLoopThreads(),
                        new DefaultThreadFactory("a6-http-client", true),
                        NioIoHandler.newFactory()),
                true);
    }

    /** A client on the caller's NIO or epoll event loop group, which {@link #close()} leaves running. */
    public DefaultOutboundClient(OutboundClientConfig config, EventLoopGroup group) {
        this(config, requireNonNull(group, "group"), false);
    }

    /** See {@link OutboundClient#of(OutboundClientConfig, PluginEnvironment)}. */
    public static DefaultOutboundClient of(OutboundClientConfig config, PluginEnvironment environment) {
        requireNonNull(config, "config");
        requireNonNull(environment, "environment");
        return environment
                .ioLoops()
                .flatMap(loops -> loops.unwrap(EventLoopGroup.class))
                .map(group -> new DefaultOutboundClient(config, group))
                .orElseGet(() -> new DefaultOutboundClient(config));
    }

    private DefaultOutboundClient(OutboundClientConfig config, EventLoopGroup group, boolean ownsGroup) {
        this.config = requireNonNull(config, "config");
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.loops = loopsOf(group);
        this.ssl = sslContext(config);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(channelType(group))
                .resolver(NoopAddressResolverGroup.INSTANCE) // addresses arrive resolved, see resolve()
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis());
    }

    /** The socket channel the group's I/O handler can drive: NIO, or epoll (io_uring with A6_TRANSPORT) in the runner. */
    private static Class<? extends Channel> channelType(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io && !io.isCompatible(NioIoHandle.class)) {
            if (io.isCompatible(EpollIoHandle.class)) {
                return EpollSocketChannel.class;
            }
            if (io.isCompatible(IoUringIoHandle.class)) {
                return IoUringSocketChannel.class;
            }
            throw new IllegalArgumentException(
                    "group: " + group.getClass().getName() + " (expected: an NIO, epoll or io_uring event loop group)");
        }
        return NioSocketChannel.class;
    }

    private static EventLoop[] loopsOf(EventLoopGroup group) {
        List<EventLoop> all = new ArrayList<>();
        for (EventExecutor executor : group) {
            if (executor instanceof EventLoop loop) {
                all.add(loop);
            }
        }
        return all.toArray(EventLoop[]::new);
    }

    /** The loop of this client's group the calling thread runs, or null. */
    private EventLoop currentLoop() {
        for (EventLoop loop : loops) {
            if (loop.inEventLoop()) {
                return loop;
            }
        }
        return null;
    }

    private static SslContext sslContext(OutboundClientConfig config) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .endpointIdentificationAlgorithm("HTTPS"); // host name verification
            config.trustManager().ifPresent(builder::trustManager); // absent: the JDK's default trust store
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS client context could not be built: " + Failures.describe(e), e);
        }
    }

    @Override
    public CompletableFuture<OutboundResponse> send(OutboundRequest request) {
        requireNonNull(request, "request");
        CompletableFuture<OutboundResponse> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new OutboundException(Kind.CLIENT_CLOSED, "the client is closed"));
            return result;
        }
        Origin origin = Origin.of(request.uri());
        attempt(request, pools.computeIfAbsent(origin, o -> new OriginPool(this, o)), result, false);
        return result;
    }

    /** One attempt of {@code request}; {@code retry} takes a fresh connection (see the rule in OutboundClient). */
    void attempt(OutboundRequest request, OriginPool pool, CompletableFuture<OutboundResponse> result, boolean retry) {
        pool.acquire(retry, currentLoop()).whenComplete((lease, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            if (lease.reused()) {
                counters.reused.increment();
            }
            Exchange exchange = new Exchange(this, pool, request, lease, retry, result);
            Channel channel = lease.connection().channel;
            if (channel.eventLoop().inEventLoop()) {
                exchange.start();
            } else {
                channel.eventLoop().execute(exchange::start);
            }
        });
    }

    /** Opens a connection (and completes its TLS handshake) on {@code loop} (null: the group picks one). */
    CompletableFuture<Connection> connect(Origin origin, EventLoop loop) {
        return resolve(origin)
                .thenCompose(address -> connect(origin, address, loop))
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(
                        Failures.connect(origin, unwrap(error), config.connectTimeout())));
    }

    private CompletableFuture<InetSocketAddress> resolve(Origin origin) {
        if (NetUtil.isValidIpV4Address(origin.host()) || NetUtil.isValidIpV6Address(origin.host())) {
            return CompletableFuture.completedFuture(
                    new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(origin.host()), origin.port()));
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return new InetSocketAddress(InetAddress.getByName(origin.host()), origin.port());
                    } catch (java.net.UnknownHostException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                },
                resolver);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private CompletableFuture<Connection> connect(Origin origin, InetSocketAddress address, EventLoop loop) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        TrafficCounter traffic = new TrafficCounter();
        ConnectionHandler handler = new ConnectionHandler();
        SslHandler[] tls = new SslHandler[1];
        Bootstrap b = (loop == null ? bootstrap.clone() : bootstrap.clone(loop))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("traffic", traffic);
                        if (origin.secure()) {
                            // SNI and the name that host name verification checks both come from the peer host here.
                            SslHandler sslHandler = ssl.newHandler(ch.alloc(), origin.host(), origin.port());
                            sslHandler.setHandshakeTimeoutMillis(
                                    config.connectTimeout().toMillis());
                            tls[0] = sslHandler;
                            ch.pipeline().addLast("tls", sslHandler);
                        }
                        int head = config.maxResponseHeadBytes();
                        ch.pipeline()
                                .addLast(
                                        "http",
                                        new HttpClientCodec(
                                                new HttpDecoderConfig()
                                                        .setMaxInitialLineLength(head)
                                                        .setMaxHeaderSize(head),
                                                false,
                                                false));
                        ch.pipeline().addLast("exchange", handler);
                    }
                });
        ChannelFuture connect = b.connect(address);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(Failures.connect(origin, f.cause(), config.connectTimeout()));
                return;
            }
            counters.opened.increment();
            Connection connection = new Connection(connect.channel(), origin, traffic, handler);
            if (tls[0] == null) {
                result.complete(connection);
                return;
            }
            tls[0].handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    result.complete(connection);
                } else {
                    connection.close();
                    result.completeExceptionally(Failures.tls(origin, h.cause(), config.connectTimeout()));
                }
            });
            connect.channel().read(); // auto-read is off: the handshake needs the server's reply
        });
        return result;
    }

    @Override
    public OutboundClientMetrics metrics() {
        return counters;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pools.values().forEach(OriginPool::close);
        resolver.shutdown();
        if (ownsGroup) {
            var terminated = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            if (!onOwnLoop()) { // a loop thread cannot wait for its own end
                terminated.awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    private boolean onOwnLoop() {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    OutboundClientConfig config() {
        return config;
    }

    Counters counters() {
        return counters;
    }

    EventLoopGroup group() {
        return group;
    }

    boolean isClosed() {
        return closed;
    }

    /** Idle connections pooled for {@code uri}'s origin, for tests. */
    public int idleConnections(java.net.URI uri) {
        OriginPool pool = pools.get(Origin.of(uri));
        return pool == null ? 0 : pool.idleCount();
    }
}
