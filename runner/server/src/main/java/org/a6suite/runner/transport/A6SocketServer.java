package org.a6suite.runner.transport;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.protocol.codec.A6Codecs;
import org.a6suite.protocol.codec.Side;
import org.a6suite.runner.RunnerStartException;
import org.a6suite.runner.config.SocketOwner;

/**
 * The unix-socket listener APISIX connects to, on the runner's Netty native transport (epoll, or io_uring: see {@link
 * NativeTransport}). Each connection gets:
 *
 * <pre>
 *   IdleStateHandler -> FrameGuard -> A6FrameDecoder -> A6MessageDecoder -> A6ConnectionHandler
 *                                                       A6MessageEncoder (outbound)
 * </pre>
 *
 * <p>A connection beyond {@link org.a6suite.runner.config.ConnectionLimits#maxConnections()} is closed as soon as it
 * is accepted (APISIX then fails that call: 503, or passes with {@code allow_degradation}).
 */
public final class A6SocketServer {

    private final Path path;
    private final Channel serverChannel;
    private final ChannelGroup connections;

    private A6SocketServer(Path path, Channel serverChannel, ChannelGroup connections) {
        this.path = path;
        this.serverChannel = serverChannel;
        this.connections = connections;
    }

    /**
     * Prepares the path (stale socket removal, directory checks), binds, sets the socket's permissions and, when
     * {@code owner} is present, gives the socket to that user (and group).
     *
     * @throws RunnerStartException when the path is unusable or the bind fails
     */
    public static A6SocketServer bind(
            Path path,
            Set<PosixFilePermission> permissions,
            Optional<SocketOwner> owner,
            EventLoopGroup group,
            ConnectionServices services) {
        requireNonNull(path, "path");
        requireNonNull(permissions, "permissions");
        requireNonNull(owner, "owner");
        requireNonNull(group, "group");
        requireNonNull(services, "services");
        SocketFile.prepare(path);
        ChannelGroup connections = new DefaultChannelGroup("a6-connections", GlobalEventExecutor.INSTANCE);
        AtomicInteger open = new AtomicInteger();
        int maxConnections = services.limits().maxConnections();
        long idleMillis = services.idleTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NativeTransport.domainServerChannel(group))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (open.incrementAndGet() > maxConnections) {
                            open.decrementAndGet();
                            services.metrics().connectionRefused();
                            services.warnings()
                                    .warn(
                                            "connection_refused",
                                            "closing a new APISIX connection: {} are open (A6_MAX_CONNECTIONS)",
                                            maxConnections);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        connections.add(ch);
                        FrameGuard guard = new FrameGuard(services.limits(), services.budget());
                        ch.pipeline().addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("frame-guard", guard);
                        A6Codecs.install(ch.pipeline(), Side.RUNNER);
                        ch.pipeline().addLast("a6-handler", new A6ConnectionHandler(services, guard));
                    }
                });
        ChannelFuture bound =
                bootstrap.bind(new DomainSocketAddress(path.toFile())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new RunnerStartException("cannot listen on " + path + ": " + bound.cause(), bound.cause());
        }
        try {
            SocketFile.setPermissions(path, permissions);
            owner.ifPresent(o -> SocketFile.setOwner(path, o));
        } catch (RunnerStartException e) {
            bound.channel().close().awaitUninterruptibly();
            throw e;
        }
        return new A6SocketServer(path, bound.channel(), connections);
    }

    public Path path() {
        return path;
    }

    /** Closes the listener: no new connections; existing ones keep being served. */
    public void stopAccepting() {
        serverChannel.close().awaitUninterruptibly();
    }

    /** Closes every connection, waiting at most {@code millis}. */
    public void closeConnections(long millis) {
        connections.close().awaitUninterruptibly(millis);
    }

    /** Open connections right now. */
    public int connectionCount() {
        return connections.size();
    }
}
