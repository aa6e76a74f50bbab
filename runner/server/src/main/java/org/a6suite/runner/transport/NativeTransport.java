package org.a6suite.runner.transport;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.Optional;
import java.util.function.Consumer;
import org.a6suite.runner.RunnerStartException;
import org.a6suite.runner.config.IoTransport;

/**
 * The Netty native transport the runner's event loops run on, chosen once at start from {@code A6_TRANSPORT}, and the
 * server channel classes that fit a group of those loops. io_uring that the kernel refuses (too old, disabled by
 * {@code kernel.io_uring_disabled}, blocked by seccomp in a container) falls back to epoll with one warning: the
 * runner serves either way, and APISIX cannot tell them apart.
 */
public final class NativeTransport {

    private final IoTransport kind;

    private NativeTransport(IoTransport kind) {
        this.kind = kind;
    }

    /**
     * The transport to use for {@code wanted}: io_uring when asked for and available, else epoll; {@code warn}
     * receives one line when io_uring was asked for and is not used.
     *
     * @throws RunnerStartException when epoll is needed and unavailable (the runner runs on Linux only)
     */
    public static NativeTransport select(IoTransport wanted, Consumer<String> warn) {
        return select(wanted, Optional.ofNullable(IoUring.unavailabilityCause()), warn);
    }

    /** {@link #select(IoTransport, Consumer)} with io_uring's unavailability given (empty: available). */
    static NativeTransport select(IoTransport wanted, Optional<Throwable> ioUringUnavailable, Consumer<String> warn) {
        requireNonNull(wanted, "wanted");
        requireNonNull(ioUringUnavailable, "ioUringUnavailable");
        requireNonNull(warn, "warn");
        if (wanted == IoTransport.IO_URING) {
            if (ioUringUnavailable.isEmpty()) {
                return new NativeTransport(IoTransport.IO_URING);
            }
            warn.accept("A6_TRANSPORT=io_uring is unavailable here (" + ioUringUnavailable.get() + "): using epoll");
        }
        if (!Epoll.isAvailable()) {
            throw new RunnerStartException(
                    "native epoll transport unavailable (expected: Linux x86_64): " + Epoll.unavailabilityCause());
        }
        return new NativeTransport(IoTransport.EPOLL);
    }

    /** The transport in use (after any fallback). */
    public IoTransport kind() {
        return kind;
    }

    /** The I/O handler factory for this transport's event loops. */
    public IoHandlerFactory ioHandlerFactory() {
        return kind == IoTransport.IO_URING ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory();
    }

    /** The unix-domain server channel class for a group of the runner's loops. */
    public static Class<? extends ServerChannel> domainServerChannel(EventLoopGroup group) {
        return isIoUring(group) ? IoUringServerDomainSocketChannel.class : EpollServerDomainSocketChannel.class;
    }

    /** The TCP server channel class for a group of the runner's loops (the lane, the metrics endpoint). */
    public static Class<? extends ServerChannel> tcpServerChannel(EventLoopGroup group) {
        return isIoUring(group) ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class;
    }

    private static boolean isIoUring(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup io && io.isCompatible(IoUringIoHandle.class);
    }
}
