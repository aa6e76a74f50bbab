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
 * server channel classes that fit a group of those loops. {@code auto} takes io_uring where the kernel allows it and
 * epoll otherwise, and only says which and why ({@link #reason()}, in the runner's INFO line at start): in a container
 * whose seccomp profile refuses io_uring (Docker's default) epoll is the expected outcome, not a fault. io_uring asked
 * for by name that the kernel refuses (too old, disabled by {@code kernel.io_uring_disabled}, blocked by seccomp) falls
 * back to epoll with one WARN line instead: the runner serves either way, and APISIX cannot tell them apart.
 */
public final class NativeTransport {

    private final IoTransport kind;
    private final String reason;

    private NativeTransport(IoTransport kind, String reason) {
        this.kind = kind;
        this.reason = reason;
    }

    /**
     * The transport to use for {@code wanted}: io_uring when asked for ({@code auto} or by name) and available, else
     * epoll; {@code warn} receives one line when io_uring was asked for by name and is not used.
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
        String asked = "A6_TRANSPORT=" + wanted.text();
        if (wanted == IoTransport.EPOLL) {
            return epoll(asked);
        }
        if (ioUringUnavailable.isEmpty()) {
            return new NativeTransport(IoTransport.IO_URING, asked + ", the kernel allows io_uring");
        }
        String unavailable = "io_uring is unavailable here (" + ioUringUnavailable.get() + ")";
        if (wanted == IoTransport.IO_URING) {
            warn.accept(asked + ": " + unavailable + ", using epoll");
        }
        return epoll(asked + ", " + unavailable);
    }

    private static NativeTransport epoll(String reason) {
        if (!Epoll.isAvailable()) {
            throw new RunnerStartException(
                    "native epoll transport unavailable (expected: Linux x86_64): " + Epoll.unavailabilityCause());
        }
        return new NativeTransport(IoTransport.EPOLL, reason);
    }

    /** The transport in use (after any fallback): {@link IoTransport#EPOLL} or {@link IoTransport#IO_URING}. */
    public IoTransport kind() {
        return kind;
    }

    /**
     * Why {@link #kind()} is in use, for the runner's start-up line, e.g. {@code A6_TRANSPORT=auto, the kernel allows
     * io_uring}.
     */
    public String reason() {
        return reason;
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
